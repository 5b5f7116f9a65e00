/// Reads what `ByteWriter` wrote, bounds-checked: every read returns nil
/// rather than run past the end, so a damaged value is refused, never trusted.
/// Reads are slices of the input, so nothing is copied until a caller asks.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset >= bytes.endIndex }

    mutating func byte() -> UInt8? {
        guard offset < bytes.endIndex else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// At most 9 bytes (63 bits): a length past any value this program writes is damage.
    mutating func varint() -> Int? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 63 {
            guard let next = byte() else { return nil }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return Int(exactly: value) }
            shift += 7
        }
        return nil
    }

    mutating func int64() -> Int64? {
        guard let raw = take(8) else { return nil }
        var value: UInt64 = 0
        for (index, byte) in raw.enumerated() { value |= UInt64(byte) << (UInt64(index) * 8) }
        return Int64(bitPattern: value)
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.endIndex - offset >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func lengthPrefixed() -> ArraySlice<UInt8>? {
        guard let count = varint() else { return nil }
        return take(count)
    }

    /// Refuses text that is not UTF-8, rather than repair it.
    mutating func string() -> String? {
        guard let raw = lengthPrefixed() else { return nil }
        return Self.text(raw)
    }

    /// The bytes as a string; nil unless they are UTF-8. ASCII (nearly every
    /// stored name, id and claim) takes the decoding path, which has nothing to repair.
    static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        if StoredText.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}
