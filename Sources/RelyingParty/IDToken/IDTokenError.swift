import JOSE

/// Why an ID token was rejected. The description names the rule that failed in
/// words an operator can act on; it never contains the token, a nonce or a secret.
public enum IDTokenError: Error, Equatable, CustomStringConvertible {
    /// The signature could not be verified (see the JOSE error).
    case signature(JOSEError)
    /// The payload is not a JSON object.
    case notJSON
    /// A required claim is absent (or, for `sub`, empty).
    case missingClaim(String)
    /// A claim is present with the wrong JSON type (e.g. `exp` not an integral number).
    case invalidClaim(String)
    case wrongIssuer(expected: String, got: String)
    /// `aud` does not contain this client.
    case wrongAudience
    /// `aud` contains an audience this client does not trust.
    case untrustedAudience(String)
    /// `azp` is present and is not this client.
    case azpMismatch
    case expired
    /// `iat` is later than now (beyond the allowed skew).
    case issuedInFuture
    /// `iat` is older than the configured maximum age.
    case issuedTooLongAgo
    /// `nbf` is later than now (beyond the allowed skew).
    case notYetValid
    case nonceMismatch
    case nonceMissing
    case atHashMismatch
    /// No cached key verifies the token and the provider's keys could not be fetched again:
    /// the provider is at fault, not the token (answered 503 when the error is temporary).
    case keysUnavailable(ProviderError)
    /// The login sent `max_age` and the token has no `auth_time`.
    case authTimeMissing
    /// `auth_time` is older than the `max_age` the login sent.
    case authenticationTooOld(maxAge: Int64)
    /// The login demanded `acr_values` and the token's `acr` is none of them.
    case acrNotAccepted(got: String?, wanted: [String])
    /// Unsigned (`alg: none`), allowed for the provider, but the token endpoint is not https.
    case unsignedOverPlainHTTP

    public var description: String {
        switch self {
        case .signature(let error):
            return "ID token signature rejected: \(error)"
        case .notJSON:
            return "ID token payload is not a JSON object"
        case .missingClaim("sub"):
            return "ID token has no \"sub\" (subject) claim, or it is empty"
        case .missingClaim(let claim):
            return "ID token lacks the required \"\(claim)\" claim"
        case .invalidClaim(let claim):
            return "ID token claim \"\(claim)\" has the wrong type (times must be integral numbers, aud a string or an array of strings)"
        case .wrongIssuer(let expected, let got):
            return "ID token issuer \(logQuoted(got)) is not the configured issuer \(logQuoted(expected)) (they must match exactly, trailing slash included)"
        case .wrongAudience:
            return "ID token is not meant for this client: \"aud\" does not contain the client_id"
        case .untrustedAudience(let audience):
            return "ID token is also meant for \(logQuoted(audience)), an audience this client does not trust"
        case .azpMismatch:
            return "ID token \"azp\" (authorized party) is not this client's client_id"
        case .expired:
            return "ID token has expired (\"exp\" is in the past, beyond the allowed clock skew; check the clocks)"
        case .issuedInFuture:
            return "ID token is issued in the future (\"iat\" beyond the allowed clock skew; check the clocks)"
        case .issuedTooLongAgo:
            return "ID token was issued too long ago (\"iat\" older than the configured maximum age)"
        case .notYetValid:
            return "ID token is not valid yet (\"nbf\" beyond the allowed clock skew; check the clocks)"
        case .nonceMismatch:
            return "ID token nonce does not match the one sent with the login (replayed or mixed-up login)"
        case .nonceMissing:
            return "ID token has no nonce, but the login sent one"
        case .atHashMismatch:
            return "ID token \"at_hash\" does not match the access token it came with"
        case .authTimeMissing:
            return "ID token has no \"auth_time\", but the login sent max_age, which makes it required (OpenID Connect Core 3.1.3.7 step 13)"
        case .authenticationTooOld(let maxAge):
            return "ID token \"auth_time\" is older than the max_age of \(maxAge) s the login sent: the provider did not make the user sign in again"
        case .acrNotAccepted(let got, let wanted):
            return "ID token \"acr\" \(got.map(logQuoted) ?? "(absent)") is not one of the acr_values the login demanded (\(wanted.joined(separator: " ").prefix(300)))"
        case .unsignedOverPlainHTTP:
            return "ID token is unsigned (alg none): the provider lists none in id_token_signing_algs, but unsigned ID tokens are accepted only from an https token endpoint (OpenID Connect Core 3.1.3.7)"
        case .keysUnavailable(let error):
            return "no cached key verifies the ID token, and the provider's keys could not be fetched again: \(error)"
        }
    }
}

/// A claim value in quotes for a log line: bounded length, control characters escaped.
private func logQuoted(_ value: String) -> String {
    (value.count > 200 ? String(value.prefix(200)) + "…" : value).debugDescription
}
