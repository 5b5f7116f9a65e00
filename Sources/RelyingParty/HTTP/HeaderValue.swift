/// What a response header value may hold: no CR, LF, NUL or other control
/// character (C0 and DEL), so a value can never end its header line or start
/// another. `Response.Header` passes every value through `sanitized`, so no
/// caller can put such a byte on the wire, whatever its value came from.
public enum HeaderValue {
    /// `text` without its control characters; returned unchanged (no copy) when it has none.
    public static func sanitized(_ text: String) -> String {
        guard !isClean(text) else { return text }
        var clean: [UInt8] = []
        clean.reserveCapacity(text.utf8.count)
        for byte in text.utf8 where !isControl(byte) { clean.append(byte) }
        return String(decoding: clean, as: UTF8.self)
    }

    /// True when `text` holds no control character.
    public static func isClean(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable(isClean) ?? !text.utf8.contains(where: isControl)
    }

    /// Eight bytes at a time: every header value of every answer passes here,
    /// a login redirect's URL and cookies are a kilobyte or more.
    static func isClean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let words = raw.count / 8
        for index in 0..<words {
            let word = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
            // Some byte below 0x20 (exact for any bound up to 0x80).
            if (word &- ones &* 0x20) & ~word & highBits != 0 { return false }
            // Some byte equal to DEL: zero once DEL is XORed away.
            let delXored = word ^ (ones &* 0x7F)
            if (delXored &- ones) & ~delXored & highBits != 0 { return false }
        }
        for index in (words * 8)..<raw.count where isControl(raw[index]) { return false }
        return true
    }

    @inline(__always)
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
}
