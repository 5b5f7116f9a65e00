/// What a location asks of an access token beyond being valid, from its web
/// server configuration: every scope of `OIDC_REQUIRE_SCOPE` (space-separated)
/// and the audience `OIDC_REQUIRE_AUDIENCE`. These come from the operator, not
/// the client, but are still checked: a scope token goes into the challenge.
public struct APIRequirements: Sendable, Equatable {
    public var scopes: [String]
    public var audience: String?

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case invalidScope(String)
        case invalidAudience

        public var description: String {
            switch self {
            case .invalidScope(let scope):
                return "OIDC_REQUIRE_SCOPE holds \(String(scope.prefix(80)).debugDescription), which is not an OAuth scope token (RFC 6749 §3.3); fix the web server location"
            case .invalidAudience:
                return "OIDC_REQUIRE_AUDIENCE is empty of visible characters or holds control characters; fix the web server location"
            }
        }
    }

    public init(scopes: [String] = [], audience: String? = nil) {
        self.scopes = scopes
        self.audience = audience
    }

    public static func of(_ request: Request) throws(Problem) -> APIRequirements {
        var scopes: [String] = []
        for scope in (request.params["OIDC_REQUIRE_SCOPE"] ?? "").split(separator: " ", omittingEmptySubsequences: true) {
            guard isScopeToken(scope) else { throw .invalidScope(String(scope)) }
            scopes.append(String(scope))
        }
        var audience: String?
        if let given = request.params["OIDC_REQUIRE_AUDIENCE"], !given.isEmpty {
            guard given.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw .invalidAudience }
            audience = given
        }
        return APIRequirements(scopes: scopes, audience: audience)
    }

    /// The required scopes the token lacks, in the location's order.
    public func missingScopes(of identity: AccessTokenIdentity) -> [String] {
        scopes.filter { !identity.scopes.contains($0) }
    }

    /// scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): no quote or backslash, so it
    /// can be written inside the challenge's quoted `scope` parameter.
    static func isScopeToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
    }
}
