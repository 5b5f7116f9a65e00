import JOSE

/// One identity provider as configured.
public struct ProviderSettings: Sendable {
    /// How the client proves itself at the token, introspection and revocation
    /// endpoints (OpenID Connect Core §9, RFC 7591 `token_endpoint_auth_method`).
    public enum ClientAuthentication: String, Sendable, CaseIterable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        /// An HS* assertion keyed with the client secret (RFC 7523 §2.2).
        case clientSecretJWT = "client_secret_jwt"
        /// An assertion signed with the client's private key (RFC 7523 §2.2).
        case privateKeyJWT = "private_key_jwt"
        /// A public client: client_id only; PKCE is what protects the code.
        case publicClient = "none"
    }

    public var name: String
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    /// The configured method; nil: the first the provider advertises that the credentials allow.
    public var clientAuthentication: ClientAuthentication?
    /// The private key for private_key_jwt (`client_private_key_file`).
    public var clientSigningKey: ClientSigningKey?
    /// The algorithm of client_secret_jwt assertions (`token_endpoint_auth_signing_alg`; HS256 by default).
    public var clientSecretAssertionAlgorithm: JWSAlgorithm
    /// `none` listed in `id_token_signing_algs`: unsigned ID tokens accepted, and only
    /// straight from an https token endpoint (OpenID Connect Core 3.1.3.7 step 6).
    public var acceptsUnsignedIDTokens: Bool
    public var scopes: [String]
    /// The claim whose value becomes the user header (`sub`, `email`, `preferred_username`…).
    public var userClaim: String
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// Metadata given in the configuration instead of discovery.
    public var staticMetadata: ProviderMetadata?
    /// Extra parameters for the authorization request (`prompt`, `acr_values`, `login_hint`…).
    public var extraAuthorizationParameters: [(name: String, value: String)]
    /// `max_age` for every login with this provider: the ID token's `auth_time`
    /// must be that recent. A location's `OIDC_MAX_AGE` replaces it.
    public var maxAge: Int64?
    /// `acr_values` for every login with this provider, as a wish the provider
    /// may not grant (the `acr` it answers is recorded). A location's
    /// `OIDC_ACR_VALUES` replaces it and is a demand.
    public var acrValues: [String]
    /// How long fetched metadata and keys are trusted before they are fetched again.
    public var metadataRefreshSeconds: Int64
    /// How bearer tokens from this provider are checked (`api:`).
    public var api: AccessTokenSettings
    /// What people read on the provider-choice page (`display_name`; the name by default).
    public var displayName: String
    /// Set: the client is registered dynamically and `clientID`/`clientSecret` are
    /// empty here; `ClientRegistrar.client(for:metadata:)` gives the registered ones.
    public var registration: ClientRegistrationSettings?

    public init(
        name: String, issuer: String, clientID: String, clientSecret: String,
        clientAuthentication: ClientAuthentication? = nil, clientSigningKey: ClientSigningKey? = nil,
        clientSecretAssertionAlgorithm: JWSAlgorithm = .hs256, acceptsUnsignedIDTokens: Bool = false, scopes: [String] = ["openid"],
        userClaim: String = "sub", allowedAlgorithms: Set<JWSAlgorithm> = ProviderSettings.defaultAlgorithms,
        staticMetadata: ProviderMetadata? = nil, extraAuthorizationParameters: [(name: String, value: String)] = [],
        metadataRefreshSeconds: Int64 = 3600, api: AccessTokenSettings = AccessTokenSettings(),
        maxAge: Int64? = nil, acrValues: [String] = [], displayName: String? = nil,
        registration: ClientRegistrationSettings? = nil
    ) {
        self.maxAge = maxAge
        self.acrValues = acrValues
        self.displayName = displayName ?? name
        self.name = name
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAuthentication = clientAuthentication
        self.clientSigningKey = clientSigningKey
        self.clientSecretAssertionAlgorithm = clientSecretAssertionAlgorithm
        self.acceptsUnsignedIDTokens = acceptsUnsignedIDTokens
        self.scopes = scopes
        self.userClaim = userClaim
        self.allowedAlgorithms = allowedAlgorithms
        self.staticMetadata = staticMetadata
        self.extraAuthorizationParameters = extraAuthorizationParameters
        self.metadataRefreshSeconds = metadataRefreshSeconds
        self.api = api
        self.registration = registration
    }

    /// Asymmetric algorithms by default; HS* only when configured, as they rest on the client secret.
    public static let defaultAlgorithms: Set<JWSAlgorithm> = [
        .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .es256, .es384, .es512, .edDSA,
    ]

    /// The method used with a provider that advertises `advertised`
    /// (`token_endpoint_auth_methods_supported`; nil when it says nothing): the
    /// configured one, else the first advertised one the credentials allow — a
    /// secret allows the secret methods, a key private_key_jwt — else client_secret_basic.
    public func clientAuthentication(advertised: [String]?) -> ClientAuthentication {
        if let clientAuthentication { return clientAuthentication }
        var allowed: [ClientAuthentication] = []
        if !clientSecret.isEmpty { allowed += [.clientSecretBasic, .clientSecretPost, .clientSecretJWT] }
        if clientSigningKey != nil { allowed.append(.privateKeyJWT) }
        for name in advertised ?? [] {
            if let method = ClientAuthentication(rawValue: name), allowed.contains(method) { return method }
        }
        if clientSecret.isEmpty, clientSigningKey != nil { return .privateKeyJWT }
        return .clientSecretBasic
    }
}
