import Foundation

/// Talks to the token endpoint: the authorization code exchange, with
/// client_secret_basic or client_secret_post.
public struct TokenEndpointClient: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case transport(String)
        /// Not sent: too many requests already wait on the provider.
        case overloaded(limit: Int)
        /// The provider refused, with its OAuth error code and description.
        case refused(status: Int, error: String, description: String?)
        case malformedResponse(status: Int)

        public var description: String {
            switch self {
            case .transport(let why): return "the token endpoint could not be reached: \(why)"
            case .overloaded(let limit): return "the token endpoint was not called: \(limit) requests already wait on the provider (http.max_concurrent)"
            case .refused(let status, let error, let description):
                return "the token endpoint refused the code (HTTP \(status), \(error)\(description.map { ": \($0)" } ?? ""))"
            case .malformedResponse(let status): return "the token endpoint answered HTTP \(status) without a usable id_token"
            }
        }
    }

    private let http: any HTTPTransport

    public init(http: any HTTPTransport) { self.http = http }

    public func exchange(code: String, codeVerifier: String, redirectURI: String, provider: ProviderSettings, tokenEndpoint: String) throws(Failure) -> TokenResponse {
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", codeVerifier),
        ]
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ]
        switch provider.clientAuthentication {
        case .clientSecretBasic:
            // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
            let pair = FormEncoding.escape(provider.clientID) + ":" + FormEncoding.escape(provider.clientSecret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        case .clientSecretPost:
            form.append(("client_id", provider.clientID))
            form.append(("client_secret", provider.clientSecret))
        }
        let response: InboundResponse
        do {
            response = try http.perform(OutboundRequest(method: .post, url: tokenEndpoint, headers: headers, body: Array(FormEncoding.encode(form).utf8)))
        } catch {
            if case .overloaded(_, let limit) = error { throw .overloaded(limit: limit) }
            throw .transport(error.description)
        }
        if response.status == 200, let tokens = TokenResponse.parse(response.body) {
            return tokens
        }
        if let json = JSONValue.parse(response.body), let error = json["error"]?.stringValue {
            throw .refused(status: response.status, error: error, description: json["error_description"]?.stringValue)
        }
        throw .malformedResponse(status: response.status)
    }
}
