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
        guard bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil else { return nil }
        form = .bytes(bytes)
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
