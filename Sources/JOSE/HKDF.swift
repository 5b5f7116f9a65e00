/// HKDF (RFC 5869) with SHA-256, built from OpenSSL's HMAC. Derives independent
/// keys (session sealing, login state sealing) from one configured secret.
public enum HKDF {
    public static func sha256(secret: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length > 0 && length <= 255 * 32, "HKDF length out of range")
        let prk = Digest.sha256.hmac(key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt, data: secret)
        var output: [UInt8] = []
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            previous = Digest.sha256.hmac(key: prk, data: previous + info + [counter])
            output += previous
            counter &+= 1
        }
        return Array(output.prefix(length))
    }
}
