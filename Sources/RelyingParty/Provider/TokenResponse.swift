/// A successful token endpoint answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
public struct TokenResponse: Sendable, Equatable {
    public var idToken: String
    public var accessToken: String?
    public var refreshToken: String?
    public var expiresIn: Int64?

    public static func parse(_ bytes: [UInt8]) -> TokenResponse? {
        guard let json = JSONValue.parse(bytes), let idToken = json["id_token"]?.stringValue, !idToken.isEmpty else { return nil }
        return TokenResponse(
            idToken: idToken,
            accessToken: json["access_token"]?.stringValue,
            refreshToken: json["refresh_token"]?.stringValue,
            expiresIn: json["expires_in"]?.integerValue
        )
    }
}
