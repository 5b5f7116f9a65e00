import JOSE

/// Why a bearer token was not accepted. `description` is for the log (never the
/// token); `clientDescription` is the short, fixed text of the `error_description`
/// sent back, which never carries request data. `rejectsToken` tells a bad token
/// (401 invalid_token) from a provider or store that cannot answer now (503).
public enum AccessTokenError: Error, Equatable, CustomStringConvertible {
    case badHeader(BearerToken.Problem)
    case tooLarge(bytes: Int, limit: Int)
    /// `validation: jwt`, and the token is not a JWT.
    case notJWT
    case signature(JOSEError)
    /// `require_typ` is set and the header's `typ` is not `at+jwt`.
    case wrongType(String?)
    case notJSON
    case missingClaim(String)
    case invalidClaim(String)
    case wrongIssuer(expected: String, got: String)
    /// `aud` holds none of the accepted audiences (`api.audiences`).
    case wrongAudience
    /// `aud` lacks the audience the location requires (`OIDC_REQUIRE_AUDIENCE`).
    case missingRequiredAudience(String)
    case expired
    case notYetValid
    case issuedInFuture
    /// The introspection answer is not `"active": true` (or its `exp` has passed).
    case inactive
    /// No user name can be had from the token (no `user_claim`, `sub` or `client_id`).
    case noSubject

    /// No cached key verifies the token and the keys could not be fetched again.
    case keysUnavailable(ProviderError)
    /// The provider's metadata or keys are not available.
    case providerUnavailable(ProviderError)
    /// The introspection call failed (transport, HTTP status, an unreadable answer).
    case introspectionFailed(String)
    /// Introspection is configured but the provider publishes no introspection endpoint.
    case introspectionNotAvailable
    /// Not sent: too many requests already wait on the provider.
    case overloaded(limit: Int)
    /// Another request's introspection of the same token did not finish in time.
    case waitTimedOut(milliseconds: Int)

    /// True for a token that is refused (401 invalid_token); false when the provider
    /// could not give an answer now (503, never an allow).
    public var rejectsToken: Bool {
        switch self {
        case .keysUnavailable, .providerUnavailable, .introspectionFailed, .introspectionNotAvailable, .overloaded, .waitTimedOut:
            return false
        default:
            return true
        }
    }

    /// The `error_description` for the client: fixed words, no request data.
    public var clientDescription: String {
        switch self {
        case .badHeader(.tooLarge), .tooLarge: return "The access token is too large"
        case .badHeader: return "The Authorization header is malformed"
        case .notJWT, .signature, .wrongType, .notJSON, .missingClaim, .invalidClaim: return "The access token is malformed or its signature is invalid"
        case .wrongIssuer: return "The access token was issued by another issuer"
        case .wrongAudience, .missingRequiredAudience: return "The access token is not meant for this resource"
        case .expired: return "The access token expired"
        case .notYetValid, .issuedInFuture: return "The access token is not valid yet"
        case .inactive: return "The access token is not active"
        case .noSubject: return "The access token names no subject"
        case .keysUnavailable, .providerUnavailable, .introspectionFailed, .introspectionNotAvailable, .overloaded, .waitTimedOut:
            return "The identity provider cannot check access tokens right now"
        }
    }

    public var description: String {
        switch self {
        case .badHeader(let problem): return "\(problem)"
        case .tooLarge(let bytes, let limit): return "the bearer token is \(bytes) bytes, over the limit of \(limit) (api.max_token_bytes)"
        case .notJWT: return "the token is not a JWT and this provider's access tokens are checked as JWTs only (api.validation: jwt)"
        case .signature(let error): return "access token signature rejected: \(error)"
        case .wrongType(let typ?): return "access token typ \(typ.debugDescription) is not at+jwt (api.require_typ)"
        case .wrongType(nil): return "access token has no typ header and at+jwt is required (api.require_typ)"
        case .notJSON: return "access token payload is not a JSON object"
        case .missingClaim(let claim): return "access token lacks the required \"\(claim)\" claim"
        case .invalidClaim(let claim): return "access token claim \"\(claim)\" has the wrong type"
        case .wrongIssuer(let expected, let got):
            return "access token issuer \(String(got.prefix(200)).debugDescription) is not the provider's issuer \(expected.debugDescription)"
        case .wrongAudience: return "access token aud holds none of the accepted audiences (api.audiences; default: the client_id)"
        case .missingRequiredAudience(let audience): return "access token aud lacks \(audience.debugDescription), which this location requires (OIDC_REQUIRE_AUDIENCE)"
        case .expired: return "access token has expired (exp in the past, beyond the clock skew)"
        case .notYetValid: return "access token is not valid yet (nbf beyond the clock skew)"
        case .issuedInFuture: return "access token is issued in the future (iat beyond the clock skew)"
        case .inactive: return "the provider's introspection says the token is not active (revoked, expired or unknown)"
        case .noSubject: return "access token has neither the user_claim, sub nor client_id"
        case .keysUnavailable(let error): return "no cached key verifies the access token, and the provider's keys could not be fetched again: \(error)"
        case .providerUnavailable(let error): return "cannot check access tokens: \(error)"
        case .introspectionFailed(let why): return "token introspection failed: \(why)"
        case .introspectionNotAvailable:
            return "api.validation asks for introspection, but the provider publishes no introspection_endpoint (set metadata.introspection_endpoint or use validation: jwt)"
        case .overloaded(let limit): return "token introspection was not called: \(limit) requests already wait on the provider (http.max_concurrent)"
        case .waitTimedOut(let ms): return "another request's introspection of the same token did not finish within \(ms) ms"
        }
    }
}

extension AccessTokenError: SignatureCheckFailure {
    public var signatureError: JOSEError? {
        if case .signature(let error) = self { return error }
        return nil
    }
}
