/// Appends the compact binary encodings that the session record and
/// `CompactJSON` use: LEB128 lengths, little-endian 64-bit integers and
/// length-prefixed bytes.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: Int) {
        precondition(value >= 0, "lengths and tags are never negative")
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func raw<C: Collection>(_ data: C) where C.Element == UInt8 { bytes.append(contentsOf: data) }

    /// Length, then the bytes.
    mutating func lengthPrefixed<C: Collection>(_ data: C) where C.Element == UInt8 {
        varint(data.count)
        bytes.append(contentsOf: data)
    }

    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { lengthPrefixed($0) }
    }

    /// A value whose length is known only after writing it: written in place,
    /// then prefixed with its length.
    mutating func lengthPrefixed(_ write: (inout ByteWriter) -> Void) {
        var inner = ByteWriter(capacity: 64)
        write(&inner)
        lengthPrefixed(inner.bytes)
    }
}
