import Foundation
import JOSE

/// How this client proves itself to the provider's back-channel endpoints (token,
/// introspection, revocation): client_secret_basic, client_secret_post,
/// client_secret_jwt, private_key_jwt or none (OpenID Connect Core §9, RFC 6749
/// §2.3.1, RFC 7523 §2.2), as configured or as the provider advertises.
public struct ClientAuthentication: Sendable {
    public let method: ProviderSettings.ClientAuthentication
    private let provider: ProviderSettings
    /// The `aud` of assertions: the token endpoint, for every endpoint (OpenID Connect Core §9).
    private let tokenEndpoint: String
    private let clock: any WallClock
    private let random: any RandomSource

    public init(provider: ProviderSettings, metadata: ProviderMetadata,
                clock: any WallClock = SystemClock(), random: any RandomSource = SystemRandomSource()) {
        self.provider = provider
        method = provider.clientAuthentication(advertised: metadata.tokenEndpointAuthMethods)
        tokenEndpoint = metadata.tokenEndpoint
        self.clock = clock
        self.random = random
    }

    /// Adds the credentials to a form POST: an `Authorization: Basic` header, form fields, or an assertion.
    public func apply(form: inout [(String, String)], headers: inout [(name: String, value: String)]) throws(SigningKeyError) {
        switch method {
        case .clientSecretBasic:
            // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
            let pair = FormEncoding.escape(provider.clientID) + ":" + FormEncoding.escape(provider.clientSecret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        case .clientSecretPost:
            form.append(("client_id", provider.clientID))
            form.append(("client_secret", provider.clientSecret))
        case .clientSecretJWT, .privateKeyJWT:
            let key: ClientAssertion.Key
            if method == .privateKeyJWT {
                guard let signingKey = provider.clientSigningKey else { throw .unusable("private_key_jwt needs client_private_key_file") }
                key = .privateKey(signingKey)
            } else {
                key = .secret(provider.clientSecret, provider.clientSecretAssertionAlgorithm)
            }
            let assertion = try ClientAssertion.make(clientID: provider.clientID, audience: tokenEndpoint, key: key,
                                                     now: clock.now(), random: random)
            // client_id too: optional by RFC 7523, but providers use it to find the client's key.
            form.append(("client_id", provider.clientID))
            form.append(("client_assertion_type", ClientAssertion.type))
            form.append(("client_assertion", assertion))
        case .publicClient:
            form.append(("client_id", provider.clientID))
        }
    }

    /// A form POST to `url` carrying `form` and the client's credentials.
    public func formPost(to url: String, form: [(String, String)], endpoint: ProviderEndpoint = .token) throws(SigningKeyError) -> OutboundRequest {
        var form = form
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ]
        try apply(form: &form, headers: &headers)
        return OutboundRequest(method: .post, url: url, headers: headers, body: Array(FormEncoding.encode(form).utf8), endpoint: endpoint)
    }
}

extension ProviderSettings.ClientAuthentication {
    /// What to check when the provider refuses this method (`invalid_client`), for the log.
    public var refusalHint: String {
        switch self {
        case .clientSecretBasic, .clientSecretPost, .clientSecretJWT:
            return "check client_id and client_secret (or client_secret_file) against the client registered at the provider"
        case .privateKeyJWT:
            return "check that the public key of client_private_key_file is registered at the provider (`oidc-fcgi client-jwks` prints it)"
        case .publicClient:
            return "the provider does not accept this client as a public client: register it as public, or configure its credentials"
        }
    }

    /// The log line for a refusal: names the method, never the credentials.
    public var refusalMessage: String {
        "the provider refused the client authentication (\(rawValue)): \(refusalHint)"
    }
}
