import Testing
import JOSE

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

private func bytes(hex text: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return out
}

@Suite struct CryptoPrimitivesTests {
    @Test func sha256KnownAnswer() {
        let hex = Digest.sha256("abc").map { String(format: "%02x", $0) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hexKeyIsThePrefixThenTheLowercaseHexDigest() {
        #expect(Digest.sha256.hexKey("session:", "abc") == "session:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256.hexKey("", "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // Non-ASCII text is hashed as its UTF-8.
        #expect(Digest.sha256.hexKey("k:", "é") == "k:" + Digest.sha256(Array("é".utf8)).map { String(format: "%02x", $0) }.joined())
    }

    @Test func base64URLWellFormednessIsTheEncodedLengthAndTheURLSafeAlphabet() {
        let encoded = Base64URL.encode([UInt8](repeating: 0xFB, count: 32))
        #expect(Base64URL.isWellFormed(encoded.utf8, byteCount: 32))
        #expect(!Base64URL.isWellFormed(encoded.utf8, byteCount: 31), "the length of another byte count")
        #expect(!Base64URL.isWellFormed(encoded.dropLast().utf8, byteCount: 32), "one character short")
        #expect(!Base64URL.isWellFormed((encoded + "=").utf8, byteCount: 32), "padding")
        #expect(!Base64URL.isWellFormed(("+" + encoded.dropFirst()).utf8, byteCount: 32), "the standard alphabet's +")
        #expect(!Base64URL.isWellFormed(("/" + encoded.dropFirst()).utf8, byteCount: 32), "the standard alphabet's /")
        #expect(!Base64URL.isWellFormed(("é" + encoded.dropFirst(2)).utf8, byteCount: 32), "a non-ASCII character")
        #expect(Base64URL.isWellFormed("".utf8, byteCount: 0))
    }

    // MARK: HMAC (RFC 4231)

    @Test func hmacSHA256RFC4231Case1() {
        let mac = Digest.sha256.hmac(key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8))
        #expect(hex(mac) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func hmacSHA256RFC4231Case2() {
        let mac = Digest.sha256.hmac(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hmacSHA512RFC4231Case2() {
        let mac = Digest.sha512.hmac(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(hex(mac) == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    // MARK: HKDF (RFC 5869)

    @Test func hkdfRFC5869Case1() {
        let okm = HKDF.sha256(
            secret: [UInt8](repeating: 0x0b, count: 22),
            salt: bytes(hex: "000102030405060708090a0b0c"),
            info: bytes(hex: "f0f1f2f3f4f5f6f7f8f9"),
            length: 42
        )
        #expect(hex(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test func hkdfRFC5869Case2LongInputsSeveralBlocks() {
        let okm = HKDF.sha256(
            secret: Array(0x00...0x4f),
            salt: Array(0x60...0xaf),
            info: Array(0xb0...0xff),
            length: 82
        )
        #expect(hex(okm) == "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87")
    }

    @Test func hkdfRFC5869Case3EmptySaltAndInfo() {
        let okm = HKDF.sha256(secret: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [], length: 42)
        #expect(hex(okm) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    /// RFC 5869 allows an empty input key; the value comes from an independent implementation (Python `cryptography`).
    @Test func hkdfEmptySecret() {
        let okm = HKDF.sha256(secret: [], salt: Array("oidc-fcgi".utf8), info: Array("x".utf8), length: 32)
        #expect(hex(okm) == "0f15a4925400d34221ba5e5a09264c9576323552889b79ea48d42f2b94c7b6e4")
    }

    @Test func hkdfDifferentInfoGivesIndependentKeys() {
        let secret = Array("configured secret".utf8)
        let a = HKDF.sha256(secret: secret, salt: [], info: Array("session".utf8), length: 32)
        let b = HKDF.sha256(secret: secret, salt: [], info: Array("login-state".utf8), length: 32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
    }

    // MARK: AES-256-GCM

    /// The GCM specification's test case 16 (256-bit key, 96-bit IV, with AAD).
    @Test func aesGCMKnownAnswer() throws {
        let key = bytes(hex: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = bytes(hex: "cafebabefacedbaddecaf888")
        let plaintext = bytes(hex: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = bytes(hex: "feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let sealed = AESGCM.seal(key: key, nonce: nonce, plaintext: plaintext, associatedData: aad)
        #expect(hex(sealed) == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            + "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try AESGCM.open(key: key, nonce: nonce, sealed: sealed, associatedData: aad) == plaintext)
    }

    private struct Sealed {
        let key = SecureRandom.bytes(AESGCM.keyByteCount)
        let nonce = SecureRandom.bytes(AESGCM.nonceByteCount)
        let plaintext = Array("session: alice, expires 1800000600".utf8)
        let aad = Array("v1|session".utf8)
        var sealed: [UInt8] { AESGCM.seal(key: key, nonce: nonce, plaintext: plaintext, associatedData: aad) }
    }

    @Test func aesGCMRoundTrip() throws {
        let s = Sealed()
        let sealed = s.sealed
        #expect(sealed.count == s.plaintext.count + AESGCM.tagByteCount)
        #expect(Array(sealed.prefix(s.plaintext.count)) != s.plaintext)
        #expect(try AESGCM.open(key: s.key, nonce: s.nonce, sealed: sealed, associatedData: s.aad) == s.plaintext)
    }

    @Test func aesGCMRoundTripEmptyPlaintextAndAAD() throws {
        let key = SecureRandom.bytes(32), nonce = SecureRandom.bytes(12)
        let sealed = AESGCM.seal(key: key, nonce: nonce, plaintext: [], associatedData: [])
        #expect(sealed.count == AESGCM.tagByteCount)
        #expect(try AESGCM.open(key: key, nonce: nonce, sealed: sealed, associatedData: []) == [])
    }

    @Test func aesGCMTamperedCiphertextFails() {
        let s = Sealed()
        var sealed = s.sealed
        sealed[3] ^= 0x01
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: s.key, nonce: s.nonce, sealed: sealed, associatedData: s.aad)
        }
    }

    @Test func aesGCMTamperedTagFails() {
        let s = Sealed()
        var sealed = s.sealed
        sealed[sealed.count - 1] ^= 0x80
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: s.key, nonce: s.nonce, sealed: sealed, associatedData: s.aad)
        }
    }

    @Test func aesGCMOtherAssociatedDataFails() {
        let s = Sealed()
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: s.key, nonce: s.nonce, sealed: s.sealed, associatedData: Array("v1|login".utf8))
        }
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: s.key, nonce: s.nonce, sealed: s.sealed, associatedData: [])
        }
    }

    @Test func aesGCMOtherKeyOrNonceFails() {
        let s = Sealed()
        var otherKey = s.key
        otherKey[0] ^= 0x01
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: otherKey, nonce: s.nonce, sealed: s.sealed, associatedData: s.aad)
        }
        var otherNonce = s.nonce
        otherNonce[11] ^= 0x01
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: s.key, nonce: otherNonce, sealed: s.sealed, associatedData: s.aad)
        }
    }

    @Test func aesGCMTruncatedOrWrongSizedInputFails() {
        let s = Sealed()
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: s.key, nonce: s.nonce, sealed: Array(s.sealed.dropLast()), associatedData: s.aad)
        }
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: s.key, nonce: s.nonce, sealed: Array(s.sealed.prefix(15)), associatedData: s.aad)
        }
        #expect(throws: AESGCM.OpenError.authenticationFailed) {
            try AESGCM.open(key: Array(s.key.prefix(16)), nonce: s.nonce, sealed: s.sealed, associatedData: s.aad)
        }
    }

    // MARK: base64url

    @Test func base64URLKnownAnswers() {
        #expect(Base64URL.encode([]) == "")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decode("YW55IGNhcm5hbCBwbGVhcw") == Array("any carnal pleas".utf8))
    }

    @Test func base64URLRoundTripsEveryLength() {
        for length in 0...67 {
            let data = SecureRandom.bytes(length)
            let text = Base64URL.encode(data)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == data, "length \(length)")
        }
    }

    @Test(arguments: ["ab+c", "ab/c", "YQ==", "abc=", "a", "abcde", "ab c", "ab\nc", "ab.c", "é", "YW55\0"])
    func base64URLRejectsInvalidText(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    // MARK: constant-time comparison

    @Test func constantTimeEqualCompares() {
        #expect(constantTimeEqual([], []))
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
