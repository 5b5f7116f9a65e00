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
            func text() -> String? { ByteReader.text(value) }
            func integer() -> Int64? {
                var number = ByteReader(value)
                return value.count == 8 ? number.int64() : nil
            }
            /// Stores a decoded value; false when it did not decode.
            func keep<T>(_ decoded: T?, in slot: inout T?) -> Bool {
                slot = decoded
                return decoded != nil
            }
            let decoded: Bool
            switch field {
            case .provider: decoded = keep(text(), in: &provider)
            case .subject: decoded = keep(text(), in: &subject)
            case .providerSessionID: decoded = keep(text(), in: &providerSessionID)
            case .user: decoded = keep(text(), in: &user)
            case .acr: decoded = keep(text(), in: &acr)
            case .accessTokenExpiresAt: decoded = keep(integer(), in: &accessTokenExpiresAt)
            case .createdAt: decoded = keep(integer(), in: &createdAt)
            case .lastSeenAt: decoded = keep(integer(), in: &lastSeenAt)
            case .expiresAt: decoded = keep(integer(), in: &expiresAt)
            case .checkedAt: decoded = keep(integer(), in: &checkedAt)
            case .authenticatedAt: decoded = keep(integer(), in: &authenticatedAt)
            case .loginMaxAge: decoded = keep(integer(), in: &loginMaxAge)
            case .claims: decoded = keep(SessionClaims(encoded: value), in: &claims)
            case .idToken: decoded = keep(StoredText(utf8: value), in: &idToken)
            case .accessToken: decoded = keep(StoredText(utf8: value), in: &accessToken)
            case .refreshToken: decoded = keep(StoredText(utf8: value), in: &refreshToken)
            case .groupGenerations:
                var list = ByteReader(value)
                var found: [String] = []
                while !list.isAtEnd {
                    guard let generation = list.string() else { return nil }
                    found.append(generation)
                }
                decoded = keep(found, in: &generations)
            }
            guard decoded else { return nil }
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
