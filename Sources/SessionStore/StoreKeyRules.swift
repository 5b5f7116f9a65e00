import RelyingParty

/// The key and TTL rules both stores enforce, so a key that works with the
/// embedded store also works with memcached (whose text and binary protocols
/// allow at most 250 bytes without spaces or control characters).
enum StoreKeyRules {
    /// memcached's hard limit on a key, including any prefix.
    static let maximumKeyBytes = 250

    /// Throws `.rejected` unless `key` (already prefixed) is 1...250 bytes of
    /// printable ASCII without spaces. The message names the rule, not the key.
    static func validate(_ key: String) throws(StoreError) {
        let bytes = key.utf8
        guard !bytes.isEmpty else { throw .rejected("empty key") }
        guard bytes.count <= maximumKeyBytes else {
            throw .rejected("key of \(bytes.count) bytes is longer than \(maximumKeyBytes) bytes")
        }
        guard bytes.withContiguousStorageIfAvailable(isPrintable) ?? isPrintable(bytes) else {
            throw .rejected("key contains a space, control or non-ASCII character")
        }
    }

    /// Every byte in 0x21...0x7E; one subtraction and compare each.
    private static func isPrintable(_ bytes: some Sequence<UInt8>) -> Bool {
        for byte in bytes where byte &- 0x21 > 0x7E - 0x21 { return false }
        return true
    }

    static func validate(ttlSeconds: Int) throws(StoreError) {
        guard ttlSeconds > 0 else { throw .rejected("TTL must be at least one second, got \(ttlSeconds)") }
    }
}
