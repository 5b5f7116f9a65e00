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

@Suite struct ResponseEncodingInjectionTests {
    @Test func valuesFromAnywhereStayOnTheirOwnLine() {
        let hostile = "/x\r\nX-Injected: yes\r\n\r\n<script>alert(1)</script>"
        let response = Response(status: 302, headers: [.init(.location, hostile), .init(.setCookie, "a=\u{0}b\nSet-Cookie: c=d")])
        let text = String(decoding: ResponseEncoding.headerBlock(response), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines == ["Status: 302 Found", "Location: /xX-Injected: yes<script>alert(1)</script>", "Set-Cookie: a=bSet-Cookie: c=d", "", ""])
        #expect(!text.contains("\n\n") && !text.contains("\u{0}"))
    }
}
