import Yams

/// Reads one YAML mapping strictly: typed getters that record a problem (with
/// the key path) instead of throwing, and `finish()` that reports every key no
/// getter asked for as unknown. Collects all problems of a file in one pass.
final class YAMLReader {
    private let mapping: Node.Mapping
    let path: String
    private var consumed: Set<String> = []
    private let problems: ProblemList

    init(mapping: Node.Mapping, path: String, problems: ProblemList) {
        self.mapping = MergeKeys.resolve(mapping, path: path, problems: problems)
        self.path = path
        self.problems = problems
    }

    /// The problems of one file. Only the first `ConfigurationError.maximumReported`
    /// are kept, the rest counted: a huge file of junk costs neither memory
    /// nor a screenful per line.
    final class ProblemList {
        private(set) var items: [ConfigurationProblem] = []
        private(set) var unreported = 0
        /// What merge keys may still bring in (see `MergeKeys`).
        var mergeBudget = MergeKeys.maximumMergedKeys

        var isEmpty: Bool { items.isEmpty }

        func add(_ path: String, _ message: String) {
            if items.count < ConfigurationError.maximumReported {
                items.append(ConfigurationProblem(path: path, message: message))
            } else {
                unreported += 1
            }
        }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func problem(_ key: String, _ message: String) { problems.add(keyPath(key), message) }

    func has(_ key: String) -> Bool { raw(key) != nil }

    /// The node for `key`, marking it as known.
    func raw(_ key: String) -> Node? {
        consumed.insert(key)
        guard let node = mapping[Node(key)] else { return nil }
        if case .scalar(let scalar) = node, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return nil
        }
        return node
    }

    func string(_ key: String, default fallback: String? = nil, required: Bool = false) -> String? {
        guard let node = raw(key) else {
            if required && fallback == nil { problem(key, "is required") }
            return fallback
        }
        guard case .scalar(let scalar) = node else {
            problem(key, "must be a single value, not a list or a mapping")
            return fallback
        }
        return scalar.string
    }

    func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = string(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            problem(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
            return fallback
        }
        return value
    }

    func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let text = string(key) else { return fallback }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(key, "must be true or false, got \"\(text)\"")
            return fallback
        }
    }

    /// Durations as `500ms`, `30s`, `5m`, `1h`, `1d` or plain seconds; returned in milliseconds.
    func durationMilliseconds(_ key: String, default fallback: Int64, range: ClosedRange<Int64>) -> Int64 {
        guard let text = string(key) else { return fallback }
        guard let value = Self.parseDuration(text), range.contains(value) else {
            problem(key, "must be a duration such as 500ms, 30s, 5m or 1h between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \"\(text)\"")
            return fallback
        }
        return value
    }

    func durationSeconds(_ key: String, default fallback: Int64, range: ClosedRange<Int64>) -> Int64 {
        durationMilliseconds(key, default: fallback * 1000, range: (range.lowerBound * 1000)...(range.upperBound * 1000)) / 1000
    }

    static func parseDuration(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Int64(trimmed.dropLast(suffix.count)), number >= 0 else { return nil }
            return number.multipliedReportingOverflow(by: factor).overflow ? nil : number * factor
        }
        guard let seconds = Int64(trimmed), seconds >= 0 else { return nil }
        return seconds * 1000
    }

    static func format(_ milliseconds: Int64) -> String {
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    func stringList(_ key: String, default fallback: [String]) -> [String] {
        guard let node = raw(key) else { return fallback }
        switch node {
        case .sequence(let sequence):
            var out: [String] = []
            for (index, item) in sequence.enumerated() {
                guard case .scalar(let scalar) = item else {
                    problems.add("\(keyPath(key))[\(index)]", "must be a single value")
                    continue
                }
                out.append(scalar.string)
            }
            return out
        case .scalar(let scalar):
            return scalar.string.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        default:
            problem(key, "must be a list")
            return fallback
        }
    }

    /// The mapping's keys as written (for mappings of names chosen by the operator).
    var keys: [String] {
        mapping.compactMap { key, _ in
            guard case .scalar(let scalar) = key else { return nil }
            return scalar.string
        }
    }

    func object(_ key: String) -> YAMLReader? {
        guard let node = raw(key) else { return nil }
        guard case .mapping(let inner) = node else {
            problem(key, "must be a mapping of keys to values")
            return nil
        }
        return YAMLReader(mapping: inner, path: keyPath(key), problems: problems)
    }

    func objectList(_ key: String) -> [YAMLReader]? {
        guard let node = raw(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            problem(key, "must be a list")
            return nil
        }
        var out: [YAMLReader] = []
        for (index, item) in sequence.enumerated() {
            guard case .mapping(let inner) = item else {
                problems.add("\(keyPath(key))[\(index)]", "must be a mapping of keys to values")
                continue
            }
            out.append(YAMLReader(mapping: inner, path: "\(keyPath(key))[\(index)]", problems: problems))
        }
        return out
    }

    /// Keys of this mapping in file order, for free-form maps (header → claim).
    func pairs() -> [(key: String, value: Node)] {
        mapping.compactMap { entry in
            guard case .scalar(let scalar) = entry.key else { return nil }
            consumed.insert(scalar.string)
            return (scalar.string, entry.value)
        }
    }

    /// Reports every key that no getter asked for.
    func finish() {
        for entry in mapping {
            guard case .scalar(let scalar) = entry.key else {
                problems.add(path, "has a key that is not a plain name")
                continue
            }
            // Top-level `x-` keys hold YAML anchors for merge keys (as in Compose files).
            if path.isEmpty && scalar.string.hasPrefix("x-") { continue }
            if !consumed.contains(scalar.string) {
                problem(scalar.string, "is not a known setting (check the spelling; see the configuration reference in the README)")
            }
        }
    }
}

import Foundation
