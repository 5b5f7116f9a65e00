import JOSE

/// Why a back-channel logout token was refused. `description` is for the log and
/// never carries the token; every case is answered 400 `invalid_request`.
public enum LogoutTokenError: Error, Equatable, CustomStringConvertible {
    case signature(JOSEError)
    case wrongType(String)
    case notJSON
    case missingClaim(String)
    case invalidClaim(String)
    case wrongIssuer(expected: String, got: String)
    case wrongAudience
    case issuedInFuture
    case issuedTooLongAgo
    case expired
    /// `events` lacks the back-channel logout event, or its value is not an object.
    case notALogoutEvent
    /// Neither `sub` nor `sid`: the token names no session to end.
    case namesNoSession
    /// A logout token must not carry `nonce` (it would make it usable as an ID token).
    case hasNonce
    /// The `jti` was seen before (by any instance sharing the store).
    case replayed
    /// No cached key verifies the token and the keys could not be fetched again.
    case keysUnavailable(ProviderError)

    init(_ problem: ClaimReader.Problem) {
        switch problem {
        case .missing(let name): self = .missingClaim(name)
        case .invalid(let name): self = .invalidClaim(name)
        }
    }

    public var description: String {
        switch self {
        case .signature(let error): return "logout token signature rejected: \(error)"
        case .wrongType(let typ): return "logout token typ \(String(typ.prefix(40)).debugDescription) is not logout+jwt"
        case .notJSON: return "logout token payload is not a JSON object"
        case .missingClaim(let name): return "logout token lacks the required \"\(name)\" claim"
        case .invalidClaim(let name): return "logout token claim \"\(name)\" has the wrong type or is empty"
        case .wrongIssuer(let expected, let got): return "logout token issuer \(String(got.prefix(200)).debugDescription) is not \(expected.debugDescription)"
        case .wrongAudience: return "logout token aud does not hold this client's client_id"
        case .issuedInFuture: return "logout token iat is in the future (beyond the clock skew)"
        case .issuedTooLongAgo: return "logout token iat is too old (more than the clock skew plus 5 minutes ago)"
        case .expired: return "logout token has expired"
        case .notALogoutEvent: return "logout token events lack http://schemas.openid.net/event/backchannel-logout"
        case .namesNoSession: return "logout token has neither sub nor sid"
        case .hasNonce: return "logout token carries a nonce, which the specification forbids"
        case .replayed: return "logout token jti was already used (replay)"
        case .keysUnavailable(let error): return "no cached key verifies the logout token, and the keys could not be fetched again: \(error)"
        }
    }
}

extension LogoutTokenError: SignatureCheckFailure {
    public var signatureError: JOSEError? {
        if case .signature(let error) = self { return error }
        return nil
    }
}
