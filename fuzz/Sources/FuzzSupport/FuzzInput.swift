/// Carves several inputs out of one fuzz input: a leading selector byte for
/// targets that test more than one entry point, and NUL-separated fields.
public struct FuzzInput {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The first byte (0 when empty) and the rest.
    public var selector: (mode: UInt8, rest: [UInt8]) {
        guard let first = bytes.first else { return (0, []) }
        return (first, Array(bytes.dropFirst()))
    }

    /// The bytes split at each NUL, empty fields kept.
    public var fields: [[UInt8]] {
        bytes.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
    }

    /// The bytes as text, as Swift reads bytes off the wire (invalid UTF-8 repaired).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
