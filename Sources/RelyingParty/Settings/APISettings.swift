import JOSE

/// What every API location shares (`api:` at the top level of the configuration).
public struct APISettings: Sendable {
    /// The `realm` of every `WWW-Authenticate: Bearer` challenge (RFC 6750 §3). Validated
    /// when the configuration is read: no quote, backslash or control character.
    public var realm: String
    /// How long a request waits for another request's introspection of the same token
    /// (single flight) before it answers 503: the HTTP timeout towards the provider.
    public var flightWaitMilliseconds: Int

    public init(realm: String = "oidc-fcgi", flightWaitMilliseconds: Int = 5000) {
        self.realm = realm
        self.flightWaitMilliseconds = flightWaitMilliseconds
    }
}

/// How one provider's access tokens are checked (`providers[].api`).
public struct AccessTokenSettings: Sendable {
    public enum Validation: String, Sendable, CaseIterable {
        /// Every token is sent to the provider's introspection endpoint (RFC 7662).
        case introspection
        /// Tokens must be JWTs (RFC 9068), checked locally against the provider's keys.
        case jwt
        /// JWT-shaped tokens locally, opaque ones by introspection.
        case jwtThenIntrospection = "jwt-then-introspection"
    }

    /// Nil: `jwt-then-introspection` when the provider publishes an introspection endpoint, else `jwt`.
    public var validation: Validation?
    /// Accepted `aud` values; nil: the provider's client_id.
    public var audiences: [String]?
    /// When true a JWT's header must say `typ: at+jwt` (RFC 9068 §4).
    public var requireTyp: Bool
    /// Accepted JWT signature algorithms; nil: the provider's ID token algorithms.
    /// Symmetric (HS*) algorithms are never accepted for access tokens.
    public var signingAlgorithms: Set<JWSAlgorithm>?
    /// A longer token is refused before anything else is done with it.
    public var maxTokenBytes: Int
    /// A valid introspection result is cached until the earlier of the token's `exp` and this.
    public var cacheMaxSeconds: Int64
    /// An inactive (or refused) introspection result is cached this long.
    public var cacheInactiveSeconds: Int64

    public init(validation: Validation? = nil, audiences: [String]? = nil, requireTyp: Bool = false,
                signingAlgorithms: Set<JWSAlgorithm>? = nil, maxTokenBytes: Int = 8192,
                cacheMaxSeconds: Int64 = 300, cacheInactiveSeconds: Int64 = 30) {
        self.validation = validation
        self.audiences = audiences
        self.requireTyp = requireTyp
        self.signingAlgorithms = signingAlgorithms
        self.maxTokenBytes = maxTokenBytes
        self.cacheMaxSeconds = cacheMaxSeconds
        self.cacheInactiveSeconds = cacheInactiveSeconds
    }
}

extension ProviderSettings {
    /// The `aud` values an access token of this provider may carry to be accepted here.
    public var acceptedAudiences: [String] { api.audiences ?? [clientID] }

    /// The signature algorithms accepted on JWT access tokens: never `none`, never HS*.
    public var accessTokenAlgorithms: Set<JWSAlgorithm> {
        (api.signingAlgorithms ?? allowedAlgorithms).filter { !$0.isSymmetric }
    }

    /// The validation method in effect, given what the provider publishes.
    public func accessTokenValidation(metadata: ProviderMetadata) -> AccessTokenSettings.Validation {
        api.validation ?? (metadata.introspectionEndpoint != nil ? .jwtThenIntrospection : .jwt)
    }
}
