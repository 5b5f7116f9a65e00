/// Fetches the userinfo claims (OpenID Connect Core §5.3) with the access token.
public struct UserInfoClient: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case transport(String)
        /// Not sent: too many requests already wait on the provider.
        case overloaded(limit: Int)
        case httpStatus(Int)
        case notJSON
        case subjectMismatch

        public var description: String {
            switch self {
            case .transport(let why): return "the userinfo endpoint could not be reached: \(why)"
            case .overloaded(let limit): return "the userinfo endpoint was not called: \(limit) requests already wait on the provider (http.max_concurrent)"
            case .httpStatus(let status): return "the userinfo endpoint answered HTTP \(status)"
            case .notJSON: return "the userinfo answer is not a JSON object (signed or encrypted userinfo is not supported)"
            case .subjectMismatch: return "the userinfo `sub` differs from the ID token's `sub`; the answer is refused (OpenID Connect Core §5.3.2)"
            }
        }
    }

    private let http: any HTTPTransport

    public init(http: any HTTPTransport) { self.http = http }

    public func fetch(endpoint: String, accessToken: String, expectedSubject: String) throws(Failure) -> [String: JSONValue] {
        let response: InboundResponse
        do {
            response = try http.perform(OutboundRequest(method: .get, url: endpoint, headers: [("Authorization", "Bearer \(accessToken)"), ("Accept", "application/json")], endpoint: .userinfo))
        } catch {
            if case .overloaded(_, let limit) = error { throw .overloaded(limit: limit) }
            throw .transport(error.description)
        }
        guard response.status == 200 else { throw .httpStatus(response.status) }
        guard let claims = JSONValue.parse(response.body)?.objectValue else { throw .notJSON }
        guard claims["sub"]?.stringValue == expectedSubject else { throw .subjectMismatch }
        return claims
    }
}
