import JOSE

/// One identity provider as configured.
public struct ProviderSettings: Sendable {
    public enum ClientAuthentication: String, Sendable, CaseIterable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
    }

    public var name: String
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    public var clientAuthentication: ClientAuthentication
    public var scopes: [String]
    /// The claim whose value becomes the user header (`sub`, `email`, `preferred_username`…).
    public var userClaim: String
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// Metadata given in the configuration instead of discovery.
    public var staticMetadata: ProviderMetadata?
    /// Extra parameters for the authorization request (`prompt`, `acr_values`, `login_hint`…).
    public var extraAuthorizationParameters: [(name: String, value: String)]
    /// How long fetched metadata and keys are trusted before they are fetched again.
    public var metadataRefreshSeconds: Int64
    /// How bearer tokens from this provider are checked (`api:`).
    public var api: AccessTokenSettings

    public init(
        name: String, issuer: String, clientID: String, clientSecret: String,
        clientAuthentication: ClientAuthentication = .clientSecretBasic, scopes: [String] = ["openid"],
        userClaim: String = "sub", allowedAlgorithms: Set<JWSAlgorithm> = ProviderSettings.defaultAlgorithms,
        staticMetadata: ProviderMetadata? = nil, extraAuthorizationParameters: [(name: String, value: String)] = [],
        metadataRefreshSeconds: Int64 = 3600, api: AccessTokenSettings = AccessTokenSettings()
    ) {
        self.name = name
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAuthentication = clientAuthentication
        self.scopes = scopes
        self.userClaim = userClaim
        self.allowedAlgorithms = allowedAlgorithms
        self.staticMetadata = staticMetadata
        self.extraAuthorizationParameters = extraAuthorizationParameters
        self.metadataRefreshSeconds = metadataRefreshSeconds
        self.api = api
    }

    /// Asymmetric algorithms by default; HS* only when configured, as they rest on the client secret.
    public static let defaultAlgorithms: Set<JWSAlgorithm> = [
        .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .es256, .es384, .es512, .edDSA,
    ]
}
