import JOSE

/// Validates an ID token as OpenID Connect Core 3.1.3.7 requires, in its order:
/// signature (with an allow-listed alg and a key of the right type), `iss`, `aud`,
/// `azp`, `exp`, `iat` (and `nbf`), `acr` and `auth_time` when the login asked
/// for them, `nonce`, then `sub` and `at_hash`.
///
/// HS* tokens are verified with the client secret's UTF-8 bytes, and only when a
/// client secret is given; every other algorithm uses the provider's key set.
/// Unsigned tokens pass only when `expected.unsignedTokens` is `.accepted`.
public struct IDTokenValidator: Sendable {
    public init() {}

    public func validate(
        _ token: String,
        keys: JWKSet,
        clientSecret: [UInt8]?,
        expecting expected: IDTokenExpectations
    ) throws(IDTokenError) -> IDTokenClaims {
        // 3.1.3.7 steps 6-8: signature, alg allow-list, key type; `none` only as step 6
        // allows it (straight from an https token endpoint) and when the operator opted in.
        let signedWith: JWSAlgorithm?
        let payloadBytes: [UInt8]
        if expected.unsignedTokens != .refused, UnsecuredJWT.claimsNone(token) {
            guard expected.unsignedTokens == .accepted else { throw .unsignedOverPlainHTTP }
            guard let bytes = UnsecuredJWT.payload(ofCompact: token) else { throw .signature(.malformed("an unsigned token must have an empty signature part")) }
            (signedWith, payloadBytes) = (nil, bytes)
        } else {
            var allowed = expected.allowedAlgorithms
            let secret = clientSecret ?? []
            if secret.isEmpty { allowed = allowed.filter { !$0.isSymmetric } }
            do {
                let verified = try JWSVerifier.verify(compact: token, allowedAlgorithms: allowed) { alg in
                    alg.isSymmetric ? JWKSet.symmetric(secret: secret) : keys
                }
                (signedWith, payloadBytes) = (verified.algorithm, verified.payload)
            } catch {
                throw .signature(error)
            }
        }

        guard let payload = JSONValue.parse(payloadBytes)?.objectValue else { throw .notJSON }
        let claims = Claims(payload)

        // Step 2: the issuer, exactly.
        let issuer = try claims.requiredString("iss")
        guard issuer == expected.issuer else { throw .wrongIssuer(expected: expected.issuer, got: issuer) }

        // Steps 3-5: audiences and authorized party.
        let audiences = try claims.audiences()
        guard audiences.contains(expected.clientID) else { throw .wrongAudience }
        let azp = try claims.optionalString("azp")
        let others = Set(audiences).subtracting([expected.clientID])
        if !others.isEmpty {
            guard azp != nil else { throw .missingClaim("azp") }
        }
        if let azp, azp != expected.clientID { throw .azpMismatch }
        if let untrusted = others.subtracting(expected.trustedAudiences).sorted().first {
            throw .untrustedAudience(untrusted)
        }

        // Steps 9-10: times. Claim values stay on one side of each comparison, so
        // extreme values from the token cannot overflow the arithmetic.
        let now = expected.now
        let skew = max(0, expected.clockSkewSeconds)
        let expiresAt = try claims.requiredTime("exp")
        guard expiresAt > now - skew else { throw .expired }
        let issuedAt = try claims.requiredTime("iat")
        guard issuedAt <= now + skew else { throw .issuedInFuture }
        if let maxAge = expected.maxIssuedAgeSeconds {
            let (oldestAllowed, overflow) = (now - skew).subtractingReportingOverflow(max(0, maxAge))
            guard overflow || issuedAt >= oldestAllowed else { throw .issuedTooLongAgo }
        }
        if let notBefore = try claims.optionalTime("nbf") {
            guard notBefore <= now + skew else { throw .notYetValid }
        }
        // Step 13: when max_age was sent, auth_time is required and must be that recent.
        let authTime = try claims.optionalTime("auth_time")
        if let maxAge = expected.maxAge {
            guard let authTime else { throw .authTimeMissing }
            let (oldestAllowed, overflow) = (now - skew).subtractingReportingOverflow(max(0, maxAge))
            guard overflow || authTime >= oldestAllowed else { throw .authenticationTooOld(maxAge: maxAge) }
        }
        // Step 12: acr, checked when the login asked for it as essential.
        let acr = try claims.optionalString("acr")
        if !expected.requiredACRValues.isEmpty {
            guard let acr, expected.requiredACRValues.contains(acr) else { throw .acrNotAccepted(got: acr, wanted: expected.requiredACRValues) }
        }

        // Step 11: the nonce sent with the authorization request.
        let nonce = try claims.optionalString("nonce")
        if let expectedNonce = expected.nonce {
            guard let nonce else { throw .nonceMissing }
            guard constantTimeEqual(Array(nonce.utf8), Array(expectedNonce.utf8)) else { throw .nonceMismatch }
        }

        // Section 2: sub is a required, non-empty string.
        let subject = try claims.requiredString("sub")
        guard !subject.isEmpty else { throw .missingClaim("sub") }

        // 3.1.3.8 / 3.3.2.11: at_hash binds the access token to the ID token.
        // An unsigned token names no hash to check at_hash with; in the code flow at_hash is optional.
        if let atHash = try claims.optionalString("at_hash"), let accessToken = expected.accessToken, let signedWith {
            let digest = signedWith.digest.hash(Array(accessToken.utf8))
            let leftHalf = Base64URL.encode(Array(digest.prefix(digest.count / 2)))
            guard constantTimeEqual(Array(atHash.utf8), Array(leftHalf.utf8)) else { throw .atHashMismatch }
        }

        return IDTokenClaims(
            subject: subject,
            issuer: issuer,
            audiences: audiences,
            expiresAt: expiresAt,
            issuedAt: issuedAt,
            nonce: nonce,
            sessionID: try claims.optionalString("sid"),
            authTime: authTime,
            acr: acr,
            all: payload
        )
    }
}

/// Typed access to the payload's claims, with the errors validation reports.
private struct Claims {
    let values: [String: JSONValue]
    init(_ values: [String: JSONValue]) { self.values = values }

    func optionalString(_ name: String) throws(IDTokenError) -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard let text = value.stringValue else { throw .invalidClaim(name) }
        return text
    }

    func requiredString(_ name: String) throws(IDTokenError) -> String {
        guard let text = try optionalString(name) else { throw .missingClaim(name) }
        return text
    }

    /// NumericDate as whole seconds; integral JSON numbers such as 1.8e9 are accepted.
    func optionalTime(_ name: String) throws(IDTokenError) -> Int64? {
        guard let value = values[name], value != .null else { return nil }
        guard let seconds = value.integerValue else { throw .invalidClaim(name) }
        return seconds
    }

    func requiredTime(_ name: String) throws(IDTokenError) -> Int64 {
        guard let seconds = try optionalTime(name) else { throw .missingClaim(name) }
        return seconds
    }

    /// `aud` as a list: a single string or a non-empty array of strings.
    func audiences() throws(IDTokenError) -> [String] {
        guard let value = values["aud"], value != .null else { throw .missingClaim("aud") }
        if let single = value.stringValue { return [single] }
        guard let array = value.arrayValue, !array.isEmpty else { throw .invalidClaim("aud") }
        var audiences: [String] = []
        for element in array {
            guard let audience = element.stringValue else { throw .invalidClaim("aud") }
            audiences.append(audience)
        }
        return audiences
    }
}
