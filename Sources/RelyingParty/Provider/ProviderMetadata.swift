import JOSE

/// The parts of an OpenID Provider's metadata (OpenID Connect Discovery 1.0 §3) that a relying party uses.
public struct ProviderMetadata: Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var userinfoEndpoint: String?
    public var jwksURI: String
    public var endSessionEndpoint: String?
    public var idTokenSigningAlgorithms: [String]
    public var codeChallengeMethods: [String]?
    /// RFC 7662 token introspection, for opaque access tokens.
    public var introspectionEndpoint: String?
    /// RFC 7009 token revocation.
    public var revocationEndpoint: String?
    /// OpenID Connect Dynamic Client Registration.
    public var registrationEndpoint: String?
    /// `token_endpoint_auth_methods_supported`; nil when not said (client_secret_basic then).
    public var tokenEndpointAuthMethods: [String]?

    public init(
        issuer: String, authorizationEndpoint: String, tokenEndpoint: String, userinfoEndpoint: String? = nil,
        jwksURI: String, endSessionEndpoint: String? = nil, idTokenSigningAlgorithms: [String] = ["RS256"],
        codeChallengeMethods: [String]? = nil, introspectionEndpoint: String? = nil, revocationEndpoint: String? = nil,
        registrationEndpoint: String? = nil, tokenEndpointAuthMethods: [String]? = nil
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.userinfoEndpoint = userinfoEndpoint
        self.jwksURI = jwksURI
        self.endSessionEndpoint = endSessionEndpoint
        self.idTokenSigningAlgorithms = idTokenSigningAlgorithms
        self.codeChallengeMethods = codeChallengeMethods
        self.introspectionEndpoint = introspectionEndpoint
        self.revocationEndpoint = revocationEndpoint
        self.registrationEndpoint = registrationEndpoint
        self.tokenEndpointAuthMethods = tokenEndpointAuthMethods
    }

    /// Reads a discovery document and checks it belongs to `expectedIssuer` (Discovery §4.3).
    public static func parse(discoveryDocument bytes: [UInt8], expectedIssuer: String) throws(ProviderError) -> ProviderMetadata {
        guard let json = JSONValue.parse(bytes), json.objectValue != nil else {
            throw .invalidMetadata(issuer: expectedIssuer, reason: "the discovery document is not a JSON object")
        }
        func required(_ key: String) throws(ProviderError) -> String {
            guard let value = json[key]?.stringValue, !value.isEmpty else {
                throw .invalidMetadata(issuer: expectedIssuer, reason: "`\(key)` is missing from the discovery document")
            }
            return value
        }
        func nonEmpty(_ key: String) -> String? {
            json[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        }
        let issuer = try required("issuer")
        guard issuer == expectedIssuer else {
            throw .issuerMismatch(configured: expectedIssuer, discovered: issuer)
        }
        return ProviderMetadata(
            issuer: issuer,
            authorizationEndpoint: try required("authorization_endpoint"),
            tokenEndpoint: try required("token_endpoint"),
            userinfoEndpoint: json["userinfo_endpoint"]?.stringValue,
            jwksURI: try required("jwks_uri"),
            endSessionEndpoint: json["end_session_endpoint"]?.stringValue,
            idTokenSigningAlgorithms: json["id_token_signing_alg_values_supported"]?.arrayValue?.compactMap(\.stringValue) ?? ["RS256"],
            codeChallengeMethods: json["code_challenge_methods_supported"]?.arrayValue?.compactMap(\.stringValue),
            introspectionEndpoint: nonEmpty("introspection_endpoint"),
            revocationEndpoint: nonEmpty("revocation_endpoint"),
            registrationEndpoint: nonEmpty("registration_endpoint"),
            tokenEndpointAuthMethods: json["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue)
        )
    }

    public static func discoveryURL(forIssuer issuer: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }
}
