/// Text read from the store and kept as its bytes until asked for: a session
/// record's tokens, which most requests never use.
struct StoredText: Sendable {
    private enum Form: Sendable {
        case text(String)
        case bytes(ArraySlice<UInt8>)
    }

    private let form: Form

    init(_ text: String) { form = .text(text) }

    /// Nil when the bytes are not UTF-8 (checked when read, never trusted).
    init?(utf8 bytes: ArraySlice<UInt8>) {
        // Tokens are ASCII: checked without building a string.
        guard Self.isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil else { return nil }
        form = .bytes(bytes)
    }

    /// Eight bytes at a time: a session's tokens are a kilobyte or more, checked on every read of the record.
    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            var high: UInt64 = 0
            for index in 0..<words { high |= raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
            for index in (words * 8)..<raw.count { high |= UInt64(raw[index]) }
            return high & 0x8080_8080_8080_8080 == 0
        }
    }

    var text: String {
        switch form {
        case .text(let text): return text
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    func write(into writer: inout ByteWriter) {
        switch form {
        case .text(let text): writer.string(text)
        case .bytes(let bytes): writer.lengthPrefixed(bytes)
        }
    }
}
