import Foundation
import Testing
@testable import RelyingParty

@Suite struct SessionRecordCodecTests {
    private func fullRecord() -> SessionRecord {
        SessionRecord(
            provider: "corp", subject: "248289761001", providerSessionID: "sid-42", user: "jane",
            claims: [
                "email": .string("jane@example.com"), "name": .string("Jane Doe — Ünïcode"), "email_verified": .bool(true),
                "groups": .array([.string("admins"), .string("staff")]), "auth_time": .integer(1_700_000_000),
                "score": .number(0.5), "address": .object(["country": .string("NL"), "lines": .array([.null])]),
            ],
            idToken: String(repeating: "e", count: 900), accessToken: "access.token", refreshToken: "refresh-token",
            accessTokenExpiresAt: 1_700_000_300, createdAt: 1_700_000_000, lastSeenAt: 1_700_000_010, expiresAt: 1_700_028_800,
            groupGenerations: ["gen-user", "gen-sid"], checkedAt: 1_700_000_005, authenticatedAt: 1_699_999_990, acr: "urn:mfa",
            loginMaxAge: 0)
    }

    @Test func everyFieldSurvivesTheRoundTrip() throws {
        let record = fullRecord()
        let decoded = try #require(SessionRecordCodec.decode(SessionRecordCodec.encode(record)))
        #expect(decoded == record)
        #expect(decoded.claims.all == record.claims.all)
        #expect(decoded.idToken == record.idToken && decoded.accessToken == "access.token" && decoded.refreshToken == "refresh-token")
        #expect(decoded.acr == "urn:mfa" && decoded.loginMaxAge == 0 && decoded.groupGenerations == ["gen-user", "gen-sid"])
    }

    @Test func absentOptionalFieldsStayAbsent() throws {
        let record = SessionRecord(provider: "p", subject: "s", providerSessionID: nil, user: "u", claims: [:], idToken: "t",
                                   accessToken: nil, refreshToken: nil, accessTokenExpiresAt: nil, createdAt: 1, lastSeenAt: 2, expiresAt: 3)
        let decoded = try #require(SessionRecordCodec.decode(SessionRecordCodec.encode(record)))
        #expect(decoded == record)
        #expect(decoded.providerSessionID == nil && decoded.accessToken == nil && decoded.refreshToken == nil && decoded.checkedAt == nil)
        #expect(decoded.claims.all.isEmpty && decoded.acr == nil && decoded.authenticatedAt == nil)
    }

    @Test func oneClaimIsReadWithoutTheOthers() throws {
        let decoded = try #require(SessionRecordCodec.decode(SessionRecordCodec.encode(fullRecord())))
        #expect(decoded.claims["email"] == .string("jane@example.com"))
        #expect(decoded.claims["groups"]?.headerText == "admins,staff")
        #expect(decoded.claims["address"] == .object(["country": .string("NL"), "lines": .array([.null])]))
        #expect(decoded.claims["missing"] == nil)
        #expect(decoded.claims["emai"] == nil, "a prefix of a name is not the name")
    }

    /// What an instance of the version before this codec wrote: still a valid session after an upgrade.
    @Test func recordsWrittenAsJSONByEarlierVersionsAreRead() throws {
        let legacy = #"{"p":"corp","s":"248289761001","sid":"sid-42","u":"jane","c":{"email":"jane@example.com","groups":["a","b"]},"it":"id.token","at":"at","ate":1700000300,"ca":1700000000,"ls":1700000010,"ea":1700028800,"g":["gen-user"],"ck":1700000005,"au":1699999990,"acr":"urn:mfa","lma":60}"#
        let decoded = try #require(SessionRecordCodec.decode(Array(legacy.utf8)))
        #expect(decoded.provider == "corp" && decoded.user == "jane" && decoded.providerSessionID == "sid-42")
        #expect(decoded.claims["groups"] == .array([.string("a"), .string("b")]))
        #expect(decoded.idToken == "id.token" && decoded.accessToken == "at" && decoded.refreshToken == nil)
        #expect(decoded.groupGenerations == ["gen-user"] && decoded.acr == "urn:mfa" && decoded.loginMaxAge == 60)
        // Written back in the current form, with nothing lost.
        let rewritten = SessionRecordCodec.encode(decoded)
        #expect(rewritten.first == SessionRecordCodec.formatByte)
        #expect(SessionRecordCodec.decode(rewritten) == decoded)
    }

    /// A newer version may add fields: an older instance that updates the
    /// record (its last-seen time) keeps them.
    @Test func fieldsOfANewerVersionAreKeptWhenTheRecordIsWrittenBack() throws {
        var bytes = SessionRecordCodec.encode(fullRecord())
        let unknownField: [UInt8] = [99, 3, 0x61, 0x62, 0x63]  // tag 99, three bytes
        bytes.insert(contentsOf: unknownField, at: bytes.count - 2)  // before the end mark
        var decoded = try #require(SessionRecordCodec.decode(bytes))
        #expect(decoded == fullRecord())
        decoded.lastSeenAt += 60
        let written = SessionRecordCodec.encode(decoded)
        #expect(Array(written.dropLast(2).suffix(unknownField.count)) == unknownField)
        #expect(SessionRecordCodec.decode(written)?.lastSeenAt == fullRecord().lastSeenAt + 60)
    }

    @Test func everyTruncationAndAnyOtherFormIsRefused() {
        let bytes = SessionRecordCodec.encode(fullRecord())
        for length in 0..<bytes.count {
            #expect(SessionRecordCodec.decode(Array(bytes.prefix(length))) == nil, "a record cut at \(length) bytes was accepted")
        }
        #expect(SessionRecordCodec.decode([3] + bytes.dropFirst()) == nil, "an unknown format byte")
        #expect(SessionRecordCodec.decode(Array("{not json".utf8)) == nil)
        #expect(SessionRecordCodec.decode(bytes + [0]) == nil, "bytes after the end mark")
    }

    @Test func aRecordMissingARequiredFieldIsRefused() {
        // Only a provider: no subject, user, claims, token or times.
        var writer = ByteWriter()
        writer.byte(SessionRecordCodec.formatByte)
        writer.varint(1)
        writer.string("corp")
        writer.varint(0)
        writer.varint(0)
        #expect(SessionRecordCodec.decode(writer.bytes) == nil)
    }

    @Test func textThatIsNotUTF8IsRefused() throws {
        var bytes = SessionRecordCodec.encode(fullRecord())
        #expect(Array(bytes[1...6]) == [1, 4] + Array("corp".utf8), "the provider is the first field")
        bytes[3] = 0xC3; bytes[4] = 0x28  // an invalid two-byte sequence in the provider
        #expect(SessionRecordCodec.decode(bytes) == nil)
    }

    @Test func tokensAreCheckedForUTF8WhereverTheFirstNonASCIIByteFalls() {
        // The ASCII check reads eight bytes at a time: a byte in the first word, the last word or the tail.
        for length in [1, 7, 8, 9, 16, 17, 1500] {
            let ascii = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(StoredText(utf8: ascii[...])?.text == String(repeating: "a", count: length))
            for position in Set([0, length / 2, length - 1]) {
                var invalid = ascii
                invalid[position] = 0xFF
                #expect(StoredText(utf8: invalid[...]) == nil, "0xFF at \(position) of \(length)")
            }
        }
        let accented = Array("é-token".utf8)
        #expect(StoredText(utf8: accented[...])?.text == "é-token", "UTF-8 beyond ASCII is kept")
        #expect(StoredText(utf8: [UInt8]()[...])?.text == "")
    }
}

@Suite struct CompactJSONTests {
    @Test func valuesRoundTrip() throws {
        let values: [JSONValue] = [
            .null, .bool(true), .bool(false), .integer(-42), .integer(Int64.max), .number(-1.25), .string(""), .string("ü\u{0}\""),
            .array([]), .object([:]), .array([.integer(1), .array([.string("x")]), .object(["k": .null])]),
            .object(["b": .integer(2), "a": .object(["nested": .array([.bool(true)])])]),
        ]
        for value in values {
            #expect(CompactJSON.decode(ArraySlice(CompactJSON.encode(value))) == value, "\(value)")
        }
    }

    @Test func equalObjectsEncodeToEqualBytes() {
        let a: JSONValue = .object(["x": .integer(1), "y": .integer(2), "z": .integer(3)])
        let b: JSONValue = .object(["z": .integer(3), "x": .integer(1), "y": .integer(2)])
        #expect(CompactJSON.encode(a) == CompactJSON.encode(b))
    }

    @Test func memberLookupDecodesOnlyThatMemberAndRefusesNonObjects() {
        let object = ArraySlice(CompactJSON.encode(.object(["a": .array([.integer(1)]), "b": .string("two")])))
        #expect(CompactJSON.member("b", inObject: object) == .string("two"))
        #expect(CompactJSON.member("a", inObject: object) == .array([.integer(1)]))
        #expect(CompactJSON.member("c", inObject: object) == nil)
        #expect(CompactJSON.member("a", inObject: ArraySlice(CompactJSON.encode(.array([.string("a")])))) == nil)
        #expect(CompactJSON.isObject(object) && !CompactJSON.isObject(ArraySlice(CompactJSON.encode(.string("s")))))
    }

    @Test func damagedOrTooDeepInputIsRefused() {
        let bytes = CompactJSON.encode(.object(["list": .array([.string("abc"), .integer(7)])]))
        for length in 0..<bytes.count {
            #expect(CompactJSON.decode(ArraySlice(bytes.prefix(length))) == nil)
            #expect(!CompactJSON.isObject(ArraySlice(bytes.prefix(length))))
        }
        #expect(CompactJSON.decode(ArraySlice([0xFF])) == nil, "an unknown tag")
        #expect(CompactJSON.decode(ArraySlice(CompactJSON.encode(.null) + [0])) == nil, "trailing bytes")
        var deep: JSONValue = .null
        for _ in 0...(CompactJSON.maxDepth + 1) { deep = .array([deep]) }
        #expect(CompactJSON.decode(ArraySlice(CompactJSON.encode(deep))) == nil)
    }
}

@Suite struct SessionUpgradeTests {
    private let secret = Array("session-secret-of-at-least-32-bytes-long".utf8)

    /// A session an earlier version stored as JSON is valid after the upgrade,
    /// and its next last-seen update stores it in the current form.
    @Test func aSessionStoredAsJSONStaysValidAndIsRewrittenInTheCurrentForm() throws {
        let store = FakeStore(), clock = FakeClock()
        let sessions = SessionManager(store: store, settings: SessionSettings(secrets: [secret], inactivityTimeoutSeconds: 600, maxLifetimeSeconds: 3600),
                                      clock: clock, random: SystemRandomSource())
        let now = clock.now()
        let id = try sessions.create(SessionRecord(
            provider: "corp", subject: "alice-sub", providerSessionID: nil, user: "alice", claims: ["email": .string("a@example.com")],
            idToken: "id.token", accessToken: nil, refreshToken: nil, accessTokenExpiresAt: nil,
            createdAt: now, lastSeenAt: now, expiresAt: now + 3600))
        let sealer = Sealer(secrets: [secret], purpose: "session", random: SystemRandomSource())
        let stored = try #require(store.rawValue(id.storeKey))
        let current = try #require(sealer.open(stored, context: id.storeKey))
        let generation = try #require(SessionRecordCodec.decode(current)).groupGenerations[0]
        let legacy = #"{"p":"corp","s":"alice-sub","u":"alice","c":{"email":"a@example.com"},"it":"id.token","ca":\#(now),"ls":\#(now),"ea":\#(now + 3600),"g":["\#(generation)"]}"#
        store.overwrite(id.storeKey, sealer.seal(Array(legacy.utf8), context: id.storeKey))

        clock.advance(120)
        guard case .valid(let found) = try sessions.lookup(cookieValue: id.cookieValue) else { Issue.record("the JSON session was not valid"); return }
        #expect(found.user == "alice" && found.claims["email"] == .string("a@example.com") && found.lastSeenAt == now + 120)
        let storedAgain = try #require(store.rawValue(id.storeKey))
        let rewritten = try #require(sealer.open(storedAgain, context: id.storeKey))
        #expect(rewritten.first == SessionRecordCodec.formatByte)
        guard case .valid(let again) = try sessions.lookup(cookieValue: id.cookieValue) else { Issue.record("the rewritten session was not valid"); return }
        #expect(again == found)
    }
}

@Suite struct CookieHeaderTests {
    @Test func namesAndValuesAreTrimmedUnquotedAndPartsWithoutEqualsSkipped() {
        let pairs = CookieHeader.parse(" a=1;b = 2 ;\tc=\"quoted\"; novalue; =orphan; d=; e=x=y;;")
        #expect(pairs.map(\.name) == ["a", "b", "c", "d", "e"])
        #expect(pairs.map(\.value) == ["1", "2", "quoted", "", "x=y"])
    }

    @Test func everyValueOfANameIsFoundInOrder() {
        #expect(CookieHeader.values(named: "s", in: "s=one; t=x; s=two;s=\"three\"") == ["one", "two", "three"])
        #expect(CookieHeader.values(named: "s", in: "ss=1; s2=2") == [])
        #expect(CookieHeader.values(named: "s", in: "") == [])
    }

    @Test func textThatIsNotASCIIIsKeptByteForByte() {
        #expect(CookieHeader.parse("n=caf\u{E9}; m=\u{1F600}").map(\.value) == ["caf\u{E9}", "\u{1F600}"])
    }
}
