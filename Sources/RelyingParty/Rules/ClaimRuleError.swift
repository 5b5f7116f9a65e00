/// Why a claim rule cannot be used: a configuration error, named with the rule text.
public indirect enum ClaimRuleError: Error, Equatable, CustomStringConvertible {
    case syntax(rule: String, String)
    case badPattern(String, String)
    case unknownRuleSet(String)
    case tooLong(Int)
    /// An error inside the named rule set of the configuration.
    case inRuleSet(String, ClaimRuleError)

    public var description: String {
        switch self {
        case .syntax(let rule, let why): return "claim rule \"\(rule.prefix(200))\" \(why)"
        case .badPattern(let pattern, let why): return "regular expression \"\(pattern.prefix(200))\" \(why)"
        case .unknownRuleSet(let name): return "claim rule names the rule set @\(name), which is not in `rules` of the configuration"
        case .tooLong(let limit): return "claim rule is longer than \(limit) bytes"
        case .inRuleSet(let name, let inner): return "rule set \(name) of `rules`: \(inner)"
        }
    }
}
