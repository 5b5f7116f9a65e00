import JOSE

/// Validates a logout token as OpenID Connect Back-Channel Logout 1.0 §2.6
/// requires: signature with an allow-listed algorithm, `iss`, `aud`, `iat`
/// (recent, within the skew), `jti`, the back-channel logout event in
/// `events`, `sub` and/or `sid`, and no `nonce`. The `jti` replay check needs
/// the store and is the caller's.
public struct LogoutTokenValidator: Sendable {
    /// What a valid token asks to end.
    public struct Request: Sendable, Equatable {
        public var subject: String?
        public var sessionID: String?
        public var tokenID: String
        /// Until when the `jti` must be remembered to refuse a replay.
        public var rememberUntil: Int64
    }

    public static let logoutEvent = "http://schemas.openid.net/event/backchannel-logout"
    /// `typ` values a logout token may carry (§2.4 recommends explicit typing).
    static let acceptedTypes: Set<String> = ["logout+jwt", "application/logout+jwt", "jwt"]

    public init() {}

    public func validate(_ token: String, keys: JWKSet, clientSecret: [UInt8]?,
                         expecting expected: LogoutTokenExpectations) throws(LogoutTokenError) -> Request {
        var allowed = expected.allowedAlgorithms
        let secret = clientSecret ?? []
        if secret.isEmpty { allowed = allowed.filter { !$0.isSymmetric } }
        let verified: VerifiedJWS
        do {
            verified = try JWSVerifier.verify(compact: token, allowedAlgorithms: allowed) { alg in
                alg.isSymmetric ? JWKSet.symmetric(secret: secret) : keys
            }
        } catch {
            throw .signature(error)
        }
        if let typ = JSONValue.parse(verified.header)?["typ"] {
            guard let text = typ.stringValue, Self.acceptedTypes.contains(text.lowercased()) else {
                throw .wrongType(typ.stringValue ?? "(not a string)")
            }
        }
        guard let payload = JSONValue.parse(verified.payload)?.objectValue else { throw .notJSON }
        return try check(ClaimReader(payload), expected)
    }

    private func check(_ claims: ClaimReader, _ expected: LogoutTokenExpectations) throws(LogoutTokenError) -> Request {
        let issuer = try read { () throws(ClaimReader.Problem) in try claims.requiredString("iss") }
        guard issuer == expected.issuer else { throw .wrongIssuer(expected: expected.issuer, got: issuer) }
        guard try read({ () throws(ClaimReader.Problem) in try claims.audiences() }).contains(expected.clientID) else { throw .wrongAudience }
        let now = expected.now
        let skew = max(0, expected.clockSkewSeconds)
        let issuedAt = try read { () throws(ClaimReader.Problem) in try claims.requiredTime("iat") }
        guard issuedAt <= now + skew else { throw .issuedInFuture }
        guard issuedAt >= now - skew - LogoutTokenExpectations.maxAgeSeconds else { throw .issuedTooLongAgo }
        let expiresAt = try read { () throws(ClaimReader.Problem) in try claims.optionalTime("exp") }
        if let expiresAt, expiresAt <= now - skew { throw .expired }
        let tokenID = try read { () throws(ClaimReader.Problem) in try claims.requiredString("jti") }
        guard let events = try read({ () throws(ClaimReader.Problem) in try claims.optionalObject("events") }) else { throw .missingClaim("events") }
        guard events[Self.logoutEvent]?.objectValue != nil else { throw .notALogoutEvent }
        let subject = try read { () throws(ClaimReader.Problem) in try claims.optionalString("sub") }.flatMap { $0.isEmpty ? nil : $0 }
        let sessionID = try read { () throws(ClaimReader.Problem) in try claims.optionalString("sid") }.flatMap { $0.isEmpty ? nil : $0 }
        guard subject != nil || sessionID != nil else { throw .namesNoSession }
        guard !claims.has("nonce") else { throw .hasNonce }
        // Remember the jti for as long as the token could be accepted.
        let acceptedUntil = max(issuedAt + skew + LogoutTokenExpectations.maxAgeSeconds, (expiresAt ?? 0) + skew)
        return Request(subject: subject, sessionID: sessionID, tokenID: tokenID, rememberUntil: acceptedUntil)
    }

    private func read<T>(_ body: () throws(ClaimReader.Problem) -> T) throws(LogoutTokenError) -> T {
        do { return try body() } catch { throw LogoutTokenError(error) }
    }
}
