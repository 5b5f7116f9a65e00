/// The claims of an access token — a JWT payload (RFC 9068 §2.2) or an introspection
/// answer (RFC 7662 §2.2), which share their names — read with the checks both need:
/// types, the issuer when given, the accepted audiences, and the times.
struct AccessTokenClaims {
    let values: [String: JSONValue]

    init(_ values: [String: JSONValue]) { self.values = values }

    func optionalString(_ name: String) throws(AccessTokenError) -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard let text = value.stringValue else { throw .invalidClaim(name) }
        return text
    }

    func optionalTime(_ name: String) throws(AccessTokenError) -> Int64? {
        guard let value = values[name], value != .null else { return nil }
        guard let seconds = value.integerValue else { throw .invalidClaim(name) }
        return seconds
    }

    /// `aud` as a list: absent → empty; a string or an array of strings.
    func audiences() throws(AccessTokenError) -> [String] {
        guard let value = values["aud"], value != .null else { return [] }
        if let single = value.stringValue { return [single] }
        return try strings(value, claim: "aud")
    }

    /// `scope` (a space-separated string), else `scp` (a string or an array, as some providers send).
    func scopes() throws(AccessTokenError) -> [String] {
        if let scope = try optionalString("scope") { return scope.split(separator: " ").map(String.init) }
        guard let scp = values["scp"], scp != .null else { return [] }
        if let text = scp.stringValue { return text.split(separator: " ").map(String.init) }
        return try strings(scp, claim: "scp")
    }

    /// An array claim whose every element must be a string.
    private func strings(_ value: JSONValue, claim: String) throws(AccessTokenError) -> [String] {
        guard let array = value.arrayValue else { throw .invalidClaim(claim) }
        var out: [String] = []
        for element in array {
            guard let text = element.stringValue else { throw .invalidClaim(claim) }
            out.append(text)
        }
        return out
    }

    enum Source {
        /// A JWT: `iss`, `aud` and `exp` are required.
        case jwt
        /// An introspection answer: `iss` and `exp` may be absent, and without `aud` the
        /// token's `client_id` must be an accepted audience.
        case introspection
    }

    /// The identity, after the checks common to both validations.
    func identity(from source: Source, issuer: String, acceptedAudiences: [String], clockSkewSeconds: Int64, now: Int64,
                  keepClaims: Set<String>?) throws(AccessTokenError) -> AccessTokenIdentity {
        let strict = source == .jwt
        if let iss = try optionalString("iss") {
            guard iss == issuer else { throw .wrongIssuer(expected: issuer, got: iss) }
        } else if strict {
            throw .missingClaim("iss")
        }
        let audiences = try audiences()
        let clientID = try optionalString("client_id")
        // RFC 7662 makes aud optional; without it, the token must at least be this client's.
        if strict && audiences.isEmpty { throw .missingClaim("aud") }
        let checked = audiences.isEmpty ? clientID.map { [$0] } ?? [] : audiences
        guard checked.contains(where: acceptedAudiences.contains) else { throw .wrongAudience }

        let skew = max(0, clockSkewSeconds)
        let expiresAt = try optionalTime("exp")
        if let expiresAt {
            guard expiresAt > now - skew else { throw .expired }
        } else if strict {
            throw .missingClaim("exp")
        }
        if let notBefore = try optionalTime("nbf"), notBefore > now + skew { throw .notYetValid }
        if let issuedAt = try optionalTime("iat"), issuedAt > now + skew { throw .issuedInFuture }
        let subject = try optionalString("sub")
        return AccessTokenIdentity(
            subject: subject?.isEmpty == true ? nil : subject, clientID: clientID, scopes: try scopes(), audiences: audiences,
            expiresAt: expiresAt, claims: keepClaims.map { keep in values.filter { keep.contains($0.key) } } ?? values)
    }
}
