import JOSE

/// Encrypts and authenticates small values (sessions, login state) with
/// AES-256-GCM under keys derived from the configured secrets. The first secret
/// seals; every secret opens, so secrets can be rotated without logging users out.
///
/// Layout: version (1) ‖ key id (4) ‖ nonce (12) ‖ ciphertext ‖ tag (16).
/// The caller's context (cookie name, store key) is bound as associated data,
/// so a sealed value cannot be moved to another place.
public struct Sealer: Sendable {
    private struct Key: Sendable {
        let id: [UInt8]
        let bytes: [UInt8]
    }

    private static let version: UInt8 = 1
    private let keys: [Key]
    private let random: any RandomSource

    /// `purpose` separates key families ("session", "login-state") derived from the same secret.
    public init(secrets: [[UInt8]], purpose: String, random: any RandomSource) {
        precondition(!secrets.isEmpty, "at least one secret is required")
        keys = secrets.map { secret in
            let bytes = HKDF.sha256(secret: secret, salt: Array("oidc-fcgi".utf8), info: Array("oidc-fcgi \(purpose) v1".utf8), length: 32)
            return Key(id: Array(Digest.sha256(bytes).prefix(4)), bytes: bytes)
        }
        self.random = random
    }

    public func seal(_ plaintext: [UInt8], context: String) -> [UInt8] {
        let key = keys[0]
        let nonce = random.bytes(AESGCM.nonceByteCount)
        let sealed = AESGCM.seal(key: key.bytes, nonce: nonce, plaintext: plaintext, associatedData: Array(context.utf8))
        var out: [UInt8] = [Self.version]
        out.reserveCapacity(1 + 4 + nonce.count + sealed.count)
        out += key.id
        out += nonce
        out += sealed
        return out
    }

    /// Nil when the value was not sealed by one of our keys for this context, or was altered.
    public func open(_ sealed: [UInt8], context: String) -> [UInt8]? {
        let headerCount = 1 + 4 + AESGCM.nonceByteCount
        guard sealed.count >= headerCount + AESGCM.tagByteCount, sealed[0] == Self.version else { return nil }
        guard let key = keys.first(where: { $0.id.elementsEqual(sealed[1..<5]) }) else { return nil }
        // Opened in place: no copy of the nonce, the ciphertext or the context.
        var context = context
        return sealed.withUnsafeBytes { raw in
            context.withUTF8 { associatedData in
                try? AESGCM.open(key: key.bytes, nonce: UnsafeRawBufferPointer(rebasing: raw[5..<headerCount]),
                                 sealed: UnsafeRawBufferPointer(rebasing: raw[headerCount...]),
                                 associatedData: UnsafeRawBufferPointer(associatedData))
            }
        }
    }
}
