/// Who may enter a location, stated over the identity's claims:
/// `groups:admins` (equals, or an array containing it), `email~@example\.com$`
/// (a regular expression found in the value, or in any element of an array),
/// dotted paths into nested objects (`realm_access.roles:admin`), and
/// `any(…)` / `all(…)` to combine; space-separated terms must all hold.
public indirect enum ClaimRule: Sendable {
    case equals(path: [String], value: String)
    case matches(path: [String], pattern: ClaimPattern)
    case all([ClaimRule])
    case any([ClaimRule])

    /// Whether the claims satisfy the rule; on failure, the first term that failed
    /// (for the log, never for the user).
    public func evaluate(_ claims: [String: JSONValue]) -> ClaimRuleFailure? {
        switch self {
        case .equals(let path, let value):
            guard let claim = Self.lookup(path, in: claims), Self.equals(claim, value) else {
                return ClaimRuleFailure(term: "\(path.joined(separator: ".")):\(value)")
            }
            return nil
        case .matches(let path, let pattern):
            guard let claim = Self.lookup(path, in: claims), Self.matches(claim, pattern) else {
                return ClaimRuleFailure(term: "\(path.joined(separator: "."))~\(pattern.source)")
            }
            return nil
        case .all(let rules):
            for rule in rules { if let failure = rule.evaluate(claims) { return failure } }
            return nil
        case .any(let rules):
            var failures: [String] = []
            for rule in rules {
                guard let failure = rule.evaluate(claims) else { return nil }
                failures.append(failure.term)
            }
            return ClaimRuleFailure(term: "any(\(failures.joined(separator: " ")))")
        }
    }

    static func lookup(_ path: [String], in claims: [String: JSONValue]) -> JSONValue? {
        guard let first = path.first, var value = claims[first] else { return nil }
        for key in path.dropFirst() {
            guard let next = value[key] else { return nil }
            value = next
        }
        return value
    }

    /// Strings compare as text; booleans and integers by their printed form; an
    /// array holds when one element does. Objects and null never equal a value.
    static func equals(_ claim: JSONValue, _ value: String) -> Bool {
        switch claim {
        case .string(let text): return text == value
        case .bool, .integer, .number: return claim.headerText == value
        case .array(let items): return items.contains { if case .array = $0 { return false }; return equals($0, value) }
        case .object, .null: return false
        }
    }

    static func matches(_ claim: JSONValue, _ pattern: ClaimPattern) -> Bool {
        switch claim {
        case .string, .bool, .integer, .number: return pattern.matches(claim.headerText)
        case .array(let items): return items.contains { if case .array = $0 { return false }; return matches($0, pattern) }
        case .object, .null: return false
        }
    }
}
