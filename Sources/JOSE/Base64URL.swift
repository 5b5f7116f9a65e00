import CJose

/// Unpadded base64url (RFC 4648 §5), via libcjose's codec.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: UnsafeMutablePointer<CChar>? = nil
        var outputLength = 0
        var error = cjose_err()
        let ok = bytes.withUnsafeBufferPointer {
            cjose_base64url_encode($0.baseAddress, $0.count, &output, &outputLength, &error)
        }
        precondition(ok, "cjose_base64url_encode failed")
        defer { cjose_get_dealloc()(output) }
        guard let output else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: output, count: outputLength), as: UTF8.self)
    }

    /// True when `utf8` is unpadded base64url text of exactly `byteCount`
    /// bytes (the length `encode` gives them, every character of the URL-safe
    /// alphabet), checked without decoding or allocating.
    @inlinable
    public static func isWellFormed<Text: Collection<UInt8>>(_ utf8: Text, byteCount: Int) -> Bool {
        guard utf8.count == (byteCount * 4 + 2) / 3 else { return false }
        return utf8.allSatisfy { c in
            c >= 0x41 && c <= 0x5A || c >= 0x61 && c <= 0x7A || c >= 0x30 && c <= 0x39 || c == 0x2D || c == 0x5F
        }
    }

    /// Nil when the text is not valid base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        if text.isEmpty { return [] }
        var utf8 = Array(text.utf8)
        // cjose tolerates '=' padding and standard-alphabet characters; be strict.
        for c in utf8 where !(c >= 0x41 && c <= 0x5A || c >= 0x61 && c <= 0x7A || c >= 0x30 && c <= 0x39 || c == 0x2D || c == 0x5F) {
            return nil
        }
        if utf8.count % 4 == 1 { return nil }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputLength = 0
        var error = cjose_err()
        let ok = utf8.withUnsafeMutableBufferPointer { input in
            input.baseAddress!.withMemoryRebound(to: CChar.self, capacity: input.count) {
                cjose_base64url_decode($0, input.count, &output, &outputLength, &error)
            }
        }
        guard ok, let output else { return nil }
        defer { cjose_get_dealloc()(output) }
        return Array(UnsafeBufferPointer(start: output, count: outputLength))
    }
}
