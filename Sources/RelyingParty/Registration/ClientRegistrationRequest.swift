import Foundation
import JOSE

/// The client metadata oidc-fcgi sends to a registration endpoint (RFC 7591 §2,
/// OpenID Connect Dynamic Client Registration 1.0 §2, Back- and Front-Channel
/// Logout): everything the provider must know to send browsers and logout
/// notices back here, so nothing has to be typed into the provider by hand.
public struct ClientRegistrationRequest: Sendable, Equatable, Encodable {
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]
    public var backchannelLogoutURI: String
    public var backchannelLogoutSessionRequired = true
    public var frontchannelLogoutURI: String
    public var frontchannelLogoutSessionRequired = true
    public var grantTypes = ["authorization_code", "refresh_token"]
    public var responseTypes = ["code"]
    public var applicationType = "web"
    public var tokenEndpointAuthMethod: String
    public var scope: String
    public var clientName: String?
    public var contacts: [String]?
    public var idTokenSignedResponseAlg: String?

    enum CodingKeys: String, CodingKey {
        case redirectURIs = "redirect_uris", postLogoutRedirectURIs = "post_logout_redirect_uris"
        case backchannelLogoutURI = "backchannel_logout_uri", backchannelLogoutSessionRequired = "backchannel_logout_session_required"
        case frontchannelLogoutURI = "frontchannel_logout_uri", frontchannelLogoutSessionRequired = "frontchannel_logout_session_required"
        case grantTypes = "grant_types", responseTypes = "response_types", applicationType = "application_type"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method", scope, clientName = "client_name", contacts
        case idTokenSignedResponseAlg = "id_token_signed_response_alg"
    }

    public init(provider: ProviderSettings, registration: ClientRegistrationSettings, settings: Settings) {
        let origin = settings.publicOrigin.serialized
        redirectURIs = [settings.redirectURI]
        postLogoutRedirectURIs = [origin + settings.logout.path]
        backchannelLogoutURI = origin + settings.logout.backchannelPath
        frontchannelLogoutURI = origin + settings.logout.frontchannelPath
        tokenEndpointAuthMethod = registration.tokenEndpointAuthMethod.rawValue
        scope = provider.scopes.joined(separator: " ")
        clientName = registration.clientName
        contacts = registration.contacts.isEmpty ? nil : registration.contacts
        idTokenSignedResponseAlg = registration.idTokenSignedResponseAlgorithm?.rawValue
    }

    /// The JSON body, keys sorted so that the same settings always give the same bytes.
    public var body: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, lists and booleans cannot fail.
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// Identifies what was asked for, so a stored client is reused only for the same request.
    public var fingerprint: String { Digest.sha256(body).hexString }
}
