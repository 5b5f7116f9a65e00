import OperationsEndpoint
import Testing

@Suite struct OperationsRequestHeadTests {
    private func head(_ text: String) -> OperationsRequestHead { OperationsRequestHead(parsing: Array(text.utf8)) }

    @Test func aGetWithHeadersIsComplete() {
        #expect(head("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n") == .complete(method: "GET", path: "/metrics"))
    }

    @Test func bareLineFeedsAndHTTP10AreAccepted() {
        #expect(head("GET /readyz HTTP/1.0\n\n") == .complete(method: "GET", path: "/readyz"))
    }

    @Test func theQueryIsNotPartOfThePath() {
        #expect(head("GET /metrics?name[]=x HTTP/1.1\r\n\r\n") == .complete(method: "GET", path: "/metrics"))
    }

    @Test func aHeadWithoutItsBlankLineIsIncomplete() {
        #expect(head("GET /metrics HTTP/1.1\r\nHost: x\r\n") == .incomplete)
        #expect(head("GET /met") == .incomplete)
        #expect(head("") == .incomplete)
    }

    @Test(arguments: [
        "GET /metrics\r\n\r\n",                 // no version
        "GET  /metrics HTTP/1.1\r\n\r\n",       // two spaces
        "get /metrics HTTP/1.1\r\n\r\n",        // method not upper case
        "GET metrics HTTP/1.1\r\n\r\n",         // target not a path
        "GET http://x/metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/2.0\r\n\r\n",
        "GET /met\u{1}rics HTTP/1.1\r\n\r\n",   // control character in the target
        "\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ])
    func aMalformedRequestLineIsMalformed(_ text: String) {
        #expect(head(text) == .malformed)
    }

    @Test func aRequestLineLongerThanTheLimitIsMalformed() {
        let long = "GET /" + String(repeating: "a", count: OperationsRequestHead.maxRequestLineBytes) + " HTTP/1.1\r\n\r\n"
        #expect(head(long) == .malformed)
        // Even before its end arrives.
        #expect(head(String(long.prefix(OperationsRequestHead.maxRequestLineBytes + 10))) == .malformed)
    }
}

@Suite struct OperationsRoutesTests {
    private let routes = OperationsRoutes(["/healthz": { OperationsAnswer(status: 200, text: "ok\n") }])

    @Test func aKnownPathIsAnswered() {
        #expect(routes.answer(method: "GET", path: "/healthz") == OperationsAnswer(status: 200, text: "ok\n"))
        #expect(routes.answer(method: "HEAD", path: "/healthz").status == 200)
    }

    @Test(arguments: ["/", "/healthz/", "/HEALTHZ", "/metrics", "/healthz/../healthz"])
    func anUnknownPathIs404(_ path: String) {
        #expect(routes.answer(method: "GET", path: path).status == 404)
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "OPTIONS"])
    func anotherMethodIs405(_ method: String) {
        let answer = routes.answer(method: method, path: "/healthz")
        #expect(answer.status == 405)
        #expect(String(decoding: answer.encoded(), as: UTF8.self).contains("Allow: GET, HEAD\r\n"))
    }

    @Test func theEncodingClosesTheConnectionAndHeadHasNoBody() {
        let answer = OperationsAnswer(status: 200, text: "ok\n")
        let text = String(decoding: answer.encoded(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("Content-Length: 3\r\n"))
        #expect(text.contains("Connection: close\r\n"))
        #expect(text.hasSuffix("\r\n\r\nok\n"))
        #expect(String(decoding: answer.encoded(headOnly: true), as: UTF8.self).hasSuffix("\r\n\r\n"))
    }
}
