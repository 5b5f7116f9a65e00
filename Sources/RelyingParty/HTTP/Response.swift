/// The answer handed back to the web server. For nginx auth_request only the
/// status and headers matter; login and callback answers may carry a page.
public struct Response: Sendable, Equatable {
    public var status: Int
    public var headers: [Header]
    public var body: [UInt8]

    /// One header line. The name is a validated token and the value has every
    /// control character removed when the header is made, so a `Header` can
    /// never hold CR, LF or NUL: header injection cannot be expressed.
    public struct Header: Sendable, Equatable {
        public let name: HeaderName
        public let value: String

        public init(_ name: HeaderName, _ value: String) {
            self.name = name
            self.value = HeaderValue.sanitized(value)
        }
    }

    public init(status: Int, headers: [Header] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// First value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.matches(name) }?.value
    }

    public func removingHeaders(named name: HeaderName) -> Response {
        Response(status: status, headers: headers.filter { !$0.name.matches(name.text) }, body: body)
    }

    public func headers(named name: String) -> [String] {
        headers.filter { $0.name.matches(name) }.map(\.value)
    }

    public static let reasonPhrases: [Int: String] = [
        200: "OK", 204: "No Content", 302: "Found", 303: "See Other", 400: "Bad Request", 401: "Unauthorized",
        403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error",
        502: "Bad Gateway", 503: "Service Unavailable",
    ]
}
