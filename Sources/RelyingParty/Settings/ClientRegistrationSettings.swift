import JOSE

/// `providers[].registration`: oidc-fcgi registers itself at the provider's
/// `registration_endpoint` (OpenID Connect Dynamic Client Registration 1.0,
/// RFC 7591) instead of being given a client_id, and keeps the result in
/// `stateDirectory` so restarts and sibling instances reuse it.
public struct ClientRegistrationSettings: Sendable, Equatable {
    public var clientName: String?
    public var contacts: [String]
    /// The method asked for; the provider's answer decides the one used.
    public var tokenEndpointAuthMethod: ProviderSettings.ClientAuthentication
    public var idTokenSignedResponseAlgorithm: JWSAlgorithm?
    /// RFC 7591 §3: some providers only register clients that bring this bearer token.
    public var initialAccessToken: String?
    /// Holds `<provider>.json` (the registered client) and its lock file.
    public var stateDirectory: String

    public init(clientName: String? = nil, contacts: [String] = [], tokenEndpointAuthMethod: ProviderSettings.ClientAuthentication = .clientSecretBasic,
                idTokenSignedResponseAlgorithm: JWSAlgorithm? = nil, initialAccessToken: String? = nil, stateDirectory: String) {
        self.clientName = clientName
        self.contacts = contacts
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.idTokenSignedResponseAlgorithm = idTokenSignedResponseAlgorithm
        self.initialAccessToken = initialAccessToken
        self.stateDirectory = stateDirectory
    }
}
