import Foundation

/// What a provider's registration endpoint assigned to this relying party
/// (RFC 7591 §3.2.1), as kept in the state directory. `fingerprint` is the hash
/// of the request that produced it: a changed configuration registers again.
public struct RegisteredClient: Sendable, Equatable, Codable {
    public var clientID: String
    public var clientSecret: String?
    public var tokenEndpointAuthMethod: String?
    /// RFC 7592 client configuration access, kept for operators and later management.
    public var registrationAccessToken: String?
    public var registrationClientURI: String?
    /// 0: the secret does not expire (RFC 7591 §3.2.1).
    public var clientSecretExpiresAt: Int64
    public var clientIDIssuedAt: Int64?
    public var fingerprint: String
    public var registeredAt: Int64

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", clientSecret = "client_secret", tokenEndpointAuthMethod = "token_endpoint_auth_method"
        case registrationAccessToken = "registration_access_token", registrationClientURI = "registration_client_uri"
        case clientSecretExpiresAt = "client_secret_expires_at", clientIDIssuedAt = "client_id_issued_at"
        case fingerprint, registeredAt = "registered_at"
    }

    public init(clientID: String, clientSecret: String?, tokenEndpointAuthMethod: String?, registrationAccessToken: String? = nil,
                registrationClientURI: String? = nil, clientSecretExpiresAt: Int64 = 0, clientIDIssuedAt: Int64? = nil,
                fingerprint: String, registeredAt: Int64) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.registrationAccessToken = registrationAccessToken
        self.registrationClientURI = registrationClientURI
        self.clientSecretExpiresAt = clientSecretExpiresAt
        self.clientIDIssuedAt = clientIDIssuedAt
        self.fingerprint = fingerprint
        self.registeredAt = registeredAt
    }

    /// Reads the provider's registration answer; nil when it has no client_id.
    public static func parse(registrationResponse body: [UInt8], fingerprint: String, now: Int64) -> RegisteredClient? {
        guard let json = JSONValue.parse(body), let clientID = json["client_id"]?.stringValue, !clientID.isEmpty else { return nil }
        func integer(_ key: String) -> Int64? { json[key]?.integerValue }
        return RegisteredClient(
            clientID: clientID, clientSecret: json["client_secret"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            tokenEndpointAuthMethod: json["token_endpoint_auth_method"]?.stringValue,
            registrationAccessToken: json["registration_access_token"]?.stringValue,
            registrationClientURI: json["registration_client_uri"]?.stringValue,
            clientSecretExpiresAt: integer("client_secret_expires_at") ?? 0, clientIDIssuedAt: integer("client_id_issued_at"),
            fingerprint: fingerprint, registeredAt: now)
    }

    /// True when the provider said the secret stops working at or before `now`.
    public func secretExpired(now: Int64) -> Bool {
        clientSecret != nil && clientSecretExpiresAt > 0 && clientSecretExpiresAt <= now
    }

    /// The provider's settings with this client's id, secret and method filled in.
    public func applied(to provider: ProviderSettings) -> ProviderSettings {
        var resolved = provider
        resolved.clientID = clientID
        resolved.clientSecret = clientSecret ?? ""
        resolved.clientAuthentication = tokenEndpointAuthMethod.flatMap(ProviderSettings.ClientAuthentication.init(rawValue:))
            ?? provider.registration?.tokenEndpointAuthMethod
        return resolved
    }
}
