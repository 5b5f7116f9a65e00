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
        !text.utf8.contains(where: isControl)
    }

    @inline(__always)
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
}
