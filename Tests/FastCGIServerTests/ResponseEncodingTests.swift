import Testing
import RelyingParty
@testable import FastCGIServer

@Suite struct ResponseEncodingTests {
    @Test func statusLineHeadersAndLength() {
        let response = Response(status: 302, headers: [.init("Location", "https://idp/authorize?x=1"), .init("Set-Cookie", "a=1"), .init("Set-Cookie", "b=2")],
                                body: Array("moved".utf8))
        let text = String(decoding: ResponseEncoding.headerBlock(response), as: UTF8.self)
        #expect(text == "Status: 302 Found\r\nLocation: https://idp/authorize?x=1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func emptyBodyHasNoLengthAndUnknownStatusGetsAPhrase() {
        let text = String(decoding: ResponseEncoding.headerBlock(Response(status: 299)), as: UTF8.self)
        #expect(text == "Status: 299 Status\r\n\r\n")
    }
}
