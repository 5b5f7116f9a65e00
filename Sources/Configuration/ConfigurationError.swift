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

/// Every problem found in one file, reported together.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let problems: [ConfigurationProblem]

    public var description: String {
        "\(file) is not a valid oidc-fcgi configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
