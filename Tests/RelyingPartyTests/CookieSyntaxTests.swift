import Testing
@testable import RelyingParty

/// Cookie values oidc-fcgi writes must be RFC 6265 cookie-octets, whatever
/// the fast path checking them looks like.
struct CookieSyntaxTests {
    /// The grammar as the RFC writes it: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
    private func isCookieOctet(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x2B).contains(byte) || (0x2D...0x3A).contains(byte)
            || (0x3C...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }

    @Test func theBitTableAgreesWithTheGrammarForEveryByte() {
        for byte in UInt8.min...UInt8.max {
            #expect(CookieSyntax.isValueByte(byte) == isCookieOctet(byte), "byte \(byte)")
        }
    }

    @Test func aValueIsRefusedForOneBadCharacterAtAnyPosition() {
        let good = String(repeating: "aZ09-_.~", count: 40)  // 320 bytes, all cookie-octets
        #expect(CookieSyntax.isValue(good))
        for bad in [" ", "\"", ",", ";", "\\", "\u{0}", "\r", "\n", "\u{7F}", "é"] {
            for position in [0, 1, 7, 8, 63, 64, 160, 319] {
                var bytes = Array(good.utf8)
                bytes.replaceSubrange(position...position, with: Array(bad.utf8))
                let value = String(decoding: bytes, as: UTF8.self)
                #expect(!CookieSyntax.isValue(value), "\(bad.debugDescription) at \(position)")
            }
        }
    }

    @Test func theEmptyValueAndTheSizeLimit() {
        #expect(CookieSyntax.isValue(""))
        #expect(CookieSyntax.isValue(String(repeating: "x", count: 4096)))
        #expect(!CookieSyntax.isValue(String(repeating: "x", count: 4097)))
    }

    @Test func aValueCutFromALongerTextIsCheckedOnItsOwnBytes() {
        let text = "prefix;" + "abc" + "; suffix"
        let middle = String(text.dropFirst(7).prefix(3))
        #expect(CookieSyntax.isValue(middle))
        #expect(!CookieSyntax.isValue(String(text.dropFirst(6).prefix(4))))
    }
}
