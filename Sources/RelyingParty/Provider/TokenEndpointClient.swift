/// Talks to the token endpoint: the authorization code exchange, the refresh
/// token grant and the client credentials grant, each with the provider's client
/// authentication (`ClientAuthentication`).
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
        /// The provider refused the client's credentials (`invalid_client`, or HTTP 401).
        case clientAuthenticationRefused(method: ProviderSettings.ClientAuthentication, status: Int, description: String?)
        /// The client assertion could not be signed (not sent).
        case assertionNotSigned(String)

        public var description: String {
            switch self {
            case .transport(let why): return "the token endpoint could not be reached: \(why)"
            case .overloaded(let limit): return "the token endpoint was not called: \(limit) requests already wait on the provider (http.max_concurrent)"
            case .refused(let status, let error, let description):
                return "the token endpoint refused the request (HTTP \(status), \(error)\(description.map { ": \($0)" } ?? ""))"
            case .malformedResponse(let status): return "the token endpoint answered HTTP \(status) without a usable id_token"
            case .noAccessToken(let status): return "the token endpoint answered HTTP \(status) without an access_token"
            case .clientAuthenticationRefused(let method, let status, let description):
                return "\(method.refusalMessage) (HTTP \(status)\(description.map { ": \($0.prefix(300))" } ?? ""))"
            case .assertionNotSigned(let why): return "the client assertion could not be made: \(why)"
            }
        }
    }

    private let http: any HTTPTransport
    private let clock: any WallClock
    private let random: any RandomSource

    public init(http: any HTTPTransport, clock: any WallClock = SystemClock(), random: any RandomSource = SystemRandomSource()) {
        self.http = http
        self.clock = clock
        self.random = random
    }

    public func exchange(code: String, codeVerifier: String, redirectURI: String, provider: ProviderSettings, metadata: ProviderMetadata) throws(Failure) -> TokenResponse {
        let form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", codeVerifier),
        ]
        let response = try post(form, provider: provider, metadata: metadata)
        if response.status == 200, let tokens = TokenResponse.parse(response.body) {
            return tokens
        }
        throw failure(response, method: authentication(provider, metadata).method, otherwise: .malformedResponse(status: response.status))
    }

    /// The refresh token grant (RFC 6749 §6), with the same client authentication as
    /// the code exchange and the transport's bounded timeouts.
    public func refresh(refreshToken: String, provider: ProviderSettings, metadata: ProviderMetadata) throws(Failure) -> RefreshedTokens {
        let form: [(String, String)] = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        let response = try post(form, provider: provider, metadata: metadata)
        if response.status == 200, let tokens = RefreshedTokens.parse(response.body) {
            return tokens
        }
        throw failure(response, method: authentication(provider, metadata).method, otherwise: .noAccessToken(status: response.status))
    }

    /// The client credentials grant (RFC 6749 §4.4): an access token for this client
    /// itself. Returns the token and the provider's whole JSON answer.
    public func clientCredentials(scope: String?, provider: ProviderSettings, metadata: ProviderMetadata) throws(Failure) -> (accessToken: String, answer: [UInt8]) {
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        if let scope, !scope.isEmpty { form.append(("scope", scope)) }
        let response = try post(form, provider: provider, metadata: metadata)
        if response.status == 200, let token = JSONValue.parse(response.body)?["access_token"]?.stringValue, !token.isEmpty {
            return (token, response.body)
        }
        throw failure(response, method: authentication(provider, metadata).method, otherwise: .noAccessToken(status: response.status))
    }

    private func authentication(_ provider: ProviderSettings, _ metadata: ProviderMetadata) -> ClientAuthentication {
        ClientAuthentication(provider: provider, metadata: metadata, clock: clock, random: random)
    }

    private func post(_ form: [(String, String)], provider: ProviderSettings, metadata: ProviderMetadata) throws(Failure) -> InboundResponse {
        let request: OutboundRequest
        do { request = try authentication(provider, metadata).formPost(to: metadata.tokenEndpoint, form: form, endpoint: .token) } catch {
            throw .assertionNotSigned(error.description)
        }
        do {
            return try http.perform(request)
        } catch {
            if case .overloaded(_, let limit) = error { throw .overloaded(limit: limit) }
            throw .transport(error.description)
        }
    }

    private func failure(_ response: InboundResponse, method: ProviderSettings.ClientAuthentication, otherwise: Failure) -> Failure {
        let json = JSONValue.parse(response.body)
        let error = json?["error"]?.stringValue
        // RFC 6749 §5.2: invalid_client (401 when the client used Basic) is the credentials, not the grant.
        if error == "invalid_client" || response.status == 401 {
            return .clientAuthenticationRefused(method: method, status: response.status, description: json?["error_description"]?.stringValue)
        }
        if let json, let error {
            return .refused(status: response.status, error: error, description: json["error_description"]?.stringValue)
        }
        return otherwise
    }
}
