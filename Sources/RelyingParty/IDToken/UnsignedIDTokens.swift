/// Whether an ID token with `alg: none` may be accepted. OpenID Connect Core
/// 3.1.3.7 step 6 allows it only for tokens received directly from the token
/// endpoint over TLS, where TLS authenticates the provider; oidc-fcgi also
/// requires the operator to list `none` for the provider.
public enum UnsignedIDTokens: Sendable, Equatable {
    /// The default: an unsigned token is rejected like any unsupported algorithm.
    case refused
    /// `none` is listed, but the token endpoint is not https: refused, with that reason.
    case listedButNotHTTPS
    /// `none` is listed and the token came straight from an https token endpoint.
    case accepted

    /// The policy for tokens from `tokenEndpoint` of a provider that does (`listed`) or does not list `none`.
    public static func policy(listed: Bool, tokenEndpoint: String) -> UnsignedIDTokens {
        guard listed else { return .refused }
        return tokenEndpoint.lowercased().hasPrefix("https://") ? .accepted : .listedButNotHTTPS
    }
}
