import Foundation
import JOSE

/// The JWT a client authenticates with under client_secret_jwt and private_key_jwt
/// (RFC 7523 §3, OpenID Connect Core §9): `iss` = `sub` = the client_id, `aud` = the
/// token endpoint, a short `exp`, `iat`, and a fresh random `jti` each time, so a
/// captured assertion is useless a minute later and cannot be replayed at once.
public struct ClientAssertion: Sendable {
    /// The form value of `client_assertion_type`.
    public static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Long enough for a slow provider clock, short enough to be useless when captured.
    public static let lifetimeSeconds: Int64 = 60
    /// 128 bits of randomness per `jti`.
    static let jtiBytes = 16

    public enum Key: Sendable {
        /// client_secret_jwt: HMAC with the client secret's UTF-8 bytes.
        case secret(String, JWSAlgorithm)
        /// private_key_jwt.
        case privateKey(ClientSigningKey)
    }

    struct Claims: Codable, Equatable {
        var iss: String
        var sub: String
        var aud: String
        var jti: String
        var iat: Int64
        var exp: Int64
    }

    /// The compact JWS for one request to the provider.
    public static func make(clientID: String, audience: String, key: Key, now: Int64, random: any RandomSource) throws(SigningKeyError) -> String {
        let claims = Claims(iss: clientID, sub: clientID, aud: audience, jti: Base64URL.encode(random.bytes(jtiBytes)),
                            iat: now, exp: now + lifetimeSeconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let payload = try? encoder.encode(claims) else { throw .signingFailed("cannot encode the assertion's claims") }
        switch key {
        case .secret(let secret, let algorithm):
            return try JWSSigner.compact(payload: Array(payload), algorithm: algorithm, keyID: nil, key: .secret(Array(secret.utf8)))
        case .privateKey(let signingKey):
            return try signingKey.sign(payload: Array(payload))
        }
    }
}
