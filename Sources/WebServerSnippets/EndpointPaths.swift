/// The locations oidc-fcgi serves, as the configuration names them.
struct EndpointPaths: Sendable, Equatable {
    /// The login link (OpenID Connect Core §4) is not configurable.
    static let loginLink = "/oidc/login"

    var callback: String
    var logout: String
    var backchannelLogout: String
    var frontchannelLogout: String
}
