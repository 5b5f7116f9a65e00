/// The stored form of a `SessionRecord`: a format byte, then one field per
/// (tag, length, value), closed by an empty field of tag 0 (so a record cut
/// short is refused even where a field ends), so a field can be added without a new format and a
/// record read back is sliced, not parsed: claims and tokens stay bytes until
/// used. Fields an older version does not know are kept and written back, so
/// instances of two versions can share a store during an upgrade.
///
/// Records that older versions wrote as JSON (first byte `{`) are still read
/// (`LegacySessionRecord`), so an upgrade logs nobody out; they are written
/// back in this form at their next update.
public enum SessionRecordCodec {
    public static let formatByte: UInt8 = 2
    private static let endTag = 0

    private enum Field: Int {
        case provider = 1, subject, providerSessionID, user, claims, idToken, accessToken, refreshToken
        case accessTokenExpiresAt, createdAt, lastSeenAt, expiresAt, checkedAt, groupGenerations
        case authenticatedAt, acr, loginMaxAge
    }

    public static func encode(_ record: SessionRecord) -> [UInt8] {
        var writer = ByteWriter(capacity: 2048)
        writer.byte(formatByte)
        func text(_ field: Field, _ value: String?) {
            guard let value else { return }
            writer.varint(field.rawValue)
            writer.string(value)
        }
        func stored(_ field: Field, _ value: StoredText?) {
            guard let value else { return }
            writer.varint(field.rawValue)
            value.write(into: &writer)
        }
        func integer(_ field: Field, _ value: Int64?) {
            guard let value else { return }
            writer.varint(field.rawValue)
            writer.varint(8)
            writer.int64(value)
        }
        text(.provider, record.provider)
        text(.subject, record.subject)
        text(.providerSessionID, record.providerSessionID)
        text(.user, record.user)
        writer.varint(Field.claims.rawValue)
        writer.lengthPrefixed(record.claims.encoded)
        stored(.idToken, record.storedIDToken)
        stored(.accessToken, record.storedAccessToken)
        stored(.refreshToken, record.storedRefreshToken)
        integer(.accessTokenExpiresAt, record.accessTokenExpiresAt)
        integer(.createdAt, record.createdAt)
        integer(.lastSeenAt, record.lastSeenAt)
        integer(.expiresAt, record.expiresAt)
        integer(.checkedAt, record.checkedAt)
        writer.varint(Field.groupGenerations.rawValue)
        writer.lengthPrefixed { inner in for generation in record.groupGenerations { inner.string(generation) } }
        integer(.authenticatedAt, record.authenticatedAt)
        text(.acr, record.acr)
        integer(.loginMaxAge, record.loginMaxAge)
        writer.raw(record.unknownFields)
        writer.varint(endTag)
        writer.varint(0)
        return writer.bytes
    }

    /// Nil for anything that is not a whole record of either form.
    public static func decode(_ plain: [UInt8]) -> SessionRecord? {
        switch plain.first {
        case UInt8(ascii: "{"): return LegacySessionRecord.decode(plain)
        case formatByte: return decodeFields(plain[1...])
        default: return nil
        }
    }

    private static func decodeFields(_ bytes: ArraySlice<UInt8>) -> SessionRecord? {
        var reader = ByteReader(bytes)
        var provider: String?, subject: String?, providerSessionID: String?, user: String?, acr: String?
        var accessTokenExpiresAt: Int64?, createdAt: Int64?, lastSeenAt: Int64?, expiresAt: Int64?
        var checkedAt: Int64?, authenticatedAt: Int64?, loginMaxAge: Int64?
        var claims: SessionClaims?
        var idToken: StoredText?, accessToken: StoredText?, refreshToken: StoredText?
        var generations: [String]?
        var unknown: [UInt8] = []
        var ended = false
        while !reader.isAtEnd {
            let fieldStart = reader.offset
            guard let tag = reader.varint(), let value = reader.lengthPrefixed() else { return nil }
            if tag == endTag {
                guard value.isEmpty, reader.isAtEnd else { return nil }
                ended = true
                break
            }
            guard let field = Field(rawValue: tag) else {
                unknown.append(contentsOf: bytes[fieldStart..<reader.offset])
                continue
            }
            func text() -> String? { String(validating: value, as: UTF8.self) }
            func integer() -> Int64? {
                var number = ByteReader(value)
                return value.count == 8 ? number.int64() : nil
            }
            switch field {
            case .provider: guard let v = text() else { return nil }; provider = v
            case .subject: guard let v = text() else { return nil }; subject = v
            case .providerSessionID: guard let v = text() else { return nil }; providerSessionID = v
            case .user: guard let v = text() else { return nil }; user = v
            case .acr: guard let v = text() else { return nil }; acr = v
            case .accessTokenExpiresAt: guard let v = integer() else { return nil }; accessTokenExpiresAt = v
            case .createdAt: guard let v = integer() else { return nil }; createdAt = v
            case .lastSeenAt: guard let v = integer() else { return nil }; lastSeenAt = v
            case .expiresAt: guard let v = integer() else { return nil }; expiresAt = v
            case .checkedAt: guard let v = integer() else { return nil }; checkedAt = v
            case .authenticatedAt: guard let v = integer() else { return nil }; authenticatedAt = v
            case .loginMaxAge: guard let v = integer() else { return nil }; loginMaxAge = v
            case .claims: guard let v = SessionClaims(encoded: value) else { return nil }; claims = v
            case .idToken: guard let v = StoredText(utf8: value) else { return nil }; idToken = v
            case .accessToken: guard let v = StoredText(utf8: value) else { return nil }; accessToken = v
            case .refreshToken: guard let v = StoredText(utf8: value) else { return nil }; refreshToken = v
            case .groupGenerations:
                var list = ByteReader(value)
                var found: [String] = []
                while !list.isAtEnd {
                    guard let generation = list.string() else { return nil }
                    found.append(generation)
                }
                generations = found
            }
        }
        guard ended, let provider, let subject, let user, let claims, let idToken, let createdAt, let lastSeenAt, let expiresAt,
              let generations
        else { return nil }
        var record = SessionRecord(
            provider: provider, subject: subject, providerSessionID: providerSessionID, user: user, claims: [:],
            idToken: "", accessToken: nil, refreshToken: nil, accessTokenExpiresAt: accessTokenExpiresAt,
            createdAt: createdAt, lastSeenAt: lastSeenAt, expiresAt: expiresAt, groupGenerations: generations,
            checkedAt: checkedAt, authenticatedAt: authenticatedAt, acr: acr, loginMaxAge: loginMaxAge)
        record.claims = claims
        record.storedIDToken = idToken
        record.storedAccessToken = accessToken
        record.storedRefreshToken = refreshToken
        record.unknownFields = unknown
        return record
    }
}
