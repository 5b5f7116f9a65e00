import Foundation

/// How this client proves itself to the provider's back-channel endpoints (token,
/// introspection): client_secret_basic or client_secret_post, as the provider is
/// configured (OpenID Connect Core §9, RFC 6749 §2.3.1).
public struct ClientAuthentication: Sendable {
    private let provider: ProviderSettings

    public init(provider: ProviderSettings) { self.provider = provider }

    /// Adds the credentials to a form POST: an `Authorization: Basic` header, or two form fields.
    public func apply(form: inout [(String, String)], headers: inout [(name: String, value: String)]) {
        switch provider.clientAuthentication {
        case .clientSecretBasic:
            // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
            let pair = FormEncoding.escape(provider.clientID) + ":" + FormEncoding.escape(provider.clientSecret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        case .clientSecretPost:
            form.append(("client_id", provider.clientID))
            form.append(("client_secret", provider.clientSecret))
        }
    }

    /// A form POST to `url` carrying `form` and the client's credentials.
    public func formPost(to url: String, form: [(String, String)]) -> OutboundRequest {
        var form = form
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ]
        apply(form: &form, headers: &headers)
        return OutboundRequest(method: .post, url: url, headers: headers, body: Array(FormEncoding.encode(form).utf8))
    }
}
