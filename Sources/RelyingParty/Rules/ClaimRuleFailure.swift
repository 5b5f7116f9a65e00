/// The term of a rule that did not hold.
public struct ClaimRuleFailure: Sendable, Equatable, CustomStringConvertible {
    public let term: String
    public var description: String { term }
}
