/// One plain-text HTTP answer of the operations endpoint, always closing the connection.
public struct OperationsAnswer: Equatable, Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public init(status: Int, text: String) {
        self.init(status: status, body: Array(text.utf8))
    }

    public static let notFound = OperationsAnswer(status: 404, text: "not found\n")
    public static let badRequest = OperationsAnswer(status: 400, text: "bad request\n")
    public static let tooLarge = OperationsAnswer(status: 431, text: "request header fields too large\n")
    public static let timedOut = OperationsAnswer(status: 408, text: "request timeout\n")

    /// The status line, headers and body as sent. A HEAD answer has the headers only.
    public func encoded(headOnly: Bool = false) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\n"
        if status == 405 { head += "Allow: GET, HEAD\r\n" }
        head += "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (headOnly ? [] : body)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
