/// Talks to the token endpoint: the authorization code exchange, with
/// client_secret_basic or client_secret_post, the refresh token grant and the
/// client credentials grant.
public struct TokenEndpointClient: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case transport(String)
        /// Not sent: too many requests already wait on the provider.
        case overloaded(limit: Int)
        /// The provider refused, with its OAuth error code and description.
        case refused(status: Int, error: String, description: String?)
        case malformedResponse(status: Int)
        /// A client credentials or refresh answer without `access_token`.
        case noAccessToken(status: Int)

        public var description: String {
            switch self {
            case .transport(let why): return "the token endpoint could not be reached: \(why)"
            case .overloaded(let limit): return "the token endpoint was not called: \(limit) requests already wait on the provider (http.max_concurrent)"
            case .refused(let status, let error, let description):
                return "the token endpoint refused the request (HTTP \(status), \(error)\(description.map { ": \($0)" } ?? ""))"
            case .malformedResponse(let status): return "the token endpoint answered HTTP \(status) without a usable id_token"
            case .noAccessToken(let status): return "the token endpoint answered HTTP \(status) without an access_token"
            }
        }
    }

    private let http: any HTTPTransport

    public init(http: any HTTPTransport) { self.http = http }

    public func exchange(code: String, codeVerifier: String, redirectURI: String, provider: ProviderSettings, tokenEndpoint: String) throws(Failure) -> TokenResponse {
        let form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", codeVerifier),
        ]
        let response = try post(ClientAuthentication(provider: provider).formPost(to: tokenEndpoint, form: form))
        if response.status == 200, let tokens = TokenResponse.parse(response.body) {
            return tokens
        }
        throw Self.failure(response, otherwise: .malformedResponse(status: response.status))
    }

    /// The refresh token grant (RFC 6749 §6), with the same client authentication as
    /// the code exchange and the transport's bounded timeouts.
    public func refresh(refreshToken: String, provider: ProviderSettings, tokenEndpoint: String) throws(Failure) -> RefreshedTokens {
        let form: [(String, String)] = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        let response = try post(ClientAuthentication(provider: provider).formPost(to: tokenEndpoint, form: form))
        if response.status == 200, let tokens = RefreshedTokens.parse(response.body) {
            return tokens
        }
        throw Self.failure(response, otherwise: .noAccessToken(status: response.status))
    }

    /// The client credentials grant (RFC 6749 §4.4): an access token for this client
    /// itself. Returns the token and the provider's whole JSON answer.
    public func clientCredentials(scope: String?, provider: ProviderSettings, tokenEndpoint: String) throws(Failure) -> (accessToken: String, answer: [UInt8]) {
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        if let scope, !scope.isEmpty { form.append(("scope", scope)) }
        let response = try post(ClientAuthentication(provider: provider).formPost(to: tokenEndpoint, form: form))
        if response.status == 200, let token = JSONValue.parse(response.body)?["access_token"]?.stringValue, !token.isEmpty {
            return (token, response.body)
        }
        throw Self.failure(response, otherwise: .noAccessToken(status: response.status))
    }

    private func post(_ request: OutboundRequest) throws(Failure) -> InboundResponse {
        do {
            return try http.perform(request)
        } catch {
            if case .overloaded(_, let limit) = error { throw .overloaded(limit: limit) }
            throw .transport(error.description)
        }
    }

    private static func failure(_ response: InboundResponse, otherwise: Failure) -> Failure {
        if let json = JSONValue.parse(response.body), let error = json["error"]?.stringValue {
            return .refused(status: response.status, error: error, description: json["error_description"]?.stringValue)
        }
        return otherwise
    }
}
