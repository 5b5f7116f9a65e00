import JOSE

/// Validates a JWT access token locally (RFC 9068 §4): signature with an allow-listed
/// asymmetric algorithm and a key of the provider's set, `typ` when required, `iss`
/// exactly, `aud` one of the accepted audiences, `exp` required, `nbf` and `iat`
/// within the clock skew.
public struct JWTAccessTokenValidator: Sendable {
    public init() {}

    /// True when the token has a JWS's shape (three parts, a JSON object header):
    /// such tokens are checked locally under `jwt-then-introspection`, others introspected.
    public static func looksLikeJWT(_ token: String) -> Bool {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(String(decoding: parts[0], as: UTF8.self)) else { return false }
        return JSONValue.parse(header)?.objectValue != nil
    }

    public func validate(_ token: String, keys: JWKSet, expecting expected: AccessTokenExpectations) throws(AccessTokenError) -> AccessTokenIdentity {
        let verified: VerifiedJWS
        do {
            verified = try JWSVerifier.verify(compact: token, keys: keys, allowedAlgorithms: expected.allowedAlgorithms)
        } catch {
            throw .signature(error)
        }
        if expected.requireTyp {
            let typ = JSONValue.parse(verified.header)?["typ"]?.stringValue
            guard let typ, ["at+jwt", "application/at+jwt"].contains(typ.lowercased()) else { throw .wrongType(typ) }
        }
        guard let payload = JSONValue.parse(verified.payload)?.objectValue else { throw .notJSON }
        return try AccessTokenClaims(payload).identity(
            from: .jwt, issuer: expected.issuer, acceptedAudiences: expected.audiences, clockSkewSeconds: expected.clockSkewSeconds, now: expected.now, keepClaims: expected.keepClaims)
    }
}
