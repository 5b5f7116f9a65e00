/// One thing wrong with the configuration file, named by its key path
/// (`providers[0].client_id`) so the operator knows exactly what to fix.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in one file, reported together: the first
/// `maximumReported` of them, and how many more there were.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Enough to fix a real file in one go; a file of junk says so in one screen.
    public static let maximumReported = 50

    public let file: String
    public let problems: [ConfigurationProblem]
    /// Problems found beyond the first `maximumReported`.
    public let unreportedCount: Int

    public init(file: String, problems: [ConfigurationProblem], unreportedCount: Int = 0) {
        self.file = file
        self.problems = Array(problems.prefix(Self.maximumReported))
        self.unreportedCount = unreportedCount + max(0, problems.count - Self.maximumReported)
    }

    public var description: String {
        var lines = ["\(file) is not a valid oidc-fcgi configuration:"] + problems.map { "  - \($0)" }
        if unreportedCount > 0 { lines.append("  … and \(unreportedCount) more") }
        return lines.joined(separator: "\n")
    }
}
