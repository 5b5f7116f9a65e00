/// An outbound HTTP request to the identity provider (discovery, JWKS, token, userinfo).
public struct OutboundRequest: Sendable, Equatable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }
    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Which provider endpoint this is, for the metrics; never sent.
    public var endpoint: ProviderEndpoint

    public init(method: Method, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                endpoint: ProviderEndpoint = .discovery) {
        self.method = method
        self.endpoint = endpoint
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (a: OutboundRequest, b: OutboundRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body
            && a.headers.map { "\($0.name):\($0.value)" } == b.headers.map { "\($0.name):\($0.value)" }
    }
}

/// What came back. Header names are lower-cased.
public struct InboundResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an outbound request produced no response at all.
public enum HTTPTransportError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case timedOut(url: String)
    case unreachable(url: String, reason: String)
    case tls(url: String, reason: String)
    case responseTooLarge(url: String, limit: Int)
    /// Not sent: `limit` requests already wait on the provider (see `BoundedHTTPTransport`).
    case overloaded(url: String, limit: Int)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \(url)"
        case .timedOut(let url): return "request to \(url) timed out"
        case .unreachable(let url, let reason): return "cannot reach \(url): \(reason)"
        case .tls(let url, let reason): return "TLS failure talking to \(url): \(reason)"
        case .responseTooLarge(let url, let limit): return "response from \(url) exceeds \(limit) bytes"
        case .overloaded(let url, let limit):
            return "not sent to \(url): \(limit) requests already wait on the identity provider (http.max_concurrent)"
        }
    }
}

/// The only way the core talks HTTP. Implementations are safe to call from any
/// worker thread at once; each call blocks until the response or a timeout.
public protocol HTTPTransport: Sendable {
    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse
}
