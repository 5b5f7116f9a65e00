import RelyingParty

/// One identity header for Apache: the request environment variable the
/// authorizer's answer sets (`Variable-NAME`), and the header the application
/// gets from it.
struct ApacheIdentityLine: Sendable, Equatable {
    let header: String
    let variable: String

    static func claim(_ header: HeaderName, claim: String) -> ApacheIdentityLine {
        ApacheIdentityLine(header: header.text, variable: AuthorizerVariables.claimPrefix + AuthorizerVariables.variableName(forClaim: claim))
    }

    /// `RequestHeader unset` for each header (what the client sent), in order, each once.
    static func unsets(_ lines: [ApacheIdentityLine]) -> String {
        var seen: Set<String> = []
        return lines.filter { seen.insert($0.header.lowercased()).inserted }.map { "RequestHeader unset \($0.header)" }.joined(separator: "\n")
    }

    /// Set only where an authorizer allowed the request (`condition` names the variable
    /// that says so): Apache merges these lines into later <Location>s too.
    func set(when condition: String) -> String {
        "RequestHeader set \(header) \"%{\(variable)}e\" \"expr=-n %{reqenv:\(condition)}\""
    }
}
