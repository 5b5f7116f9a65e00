/// Everything the redirect URI needs to finish one login, kept in a sealed,
/// short-lived cookie named after the `state` value.
public struct LoginState: Sendable, Codable, Equatable {
    public var state: String
    public var nonce: String
    public var codeVerifier: String
    public var returnTo: String
    public var provider: String
    public var createdAt: Int64
    /// A silent re-check (`prompt=none`) of the browser's session, not a login:
    /// its answer replaces that session, or ends it.
    public var isRecheck: Bool
    /// The `max_age` the authorization request carried: the ID token must then
    /// have an `auth_time` that recent (OpenID Connect Core 3.1.3.7 step 13).
    public var maxAge: Int64?
    /// The `acr_values` a location demanded (essential): the ID token's `acr`
    /// must be one of them. A provider's configured values are a wish, not kept here.
    public var requiredACRValues: [String]
    /// Started again right after the provider refused the registered client and a new
    /// one was registered: a second refusal is shown, not answered by registering again.
    public var followsNewRegistration: Bool

    enum CodingKeys: String, CodingKey {
        case state = "s", nonce = "n", codeVerifier = "v", returnTo = "r", provider = "p", createdAt = "t", isRecheck = "rc"
        case maxAge = "ma", requiredACRValues = "acr", followsNewRegistration = "nr"
    }

    public init(state: String, nonce: String, codeVerifier: String, returnTo: String, provider: String, createdAt: Int64, isRecheck: Bool = false,
                maxAge: Int64? = nil, requiredACRValues: [String] = [], followsNewRegistration: Bool = false) {
        self.isRecheck = isRecheck
        self.maxAge = maxAge
        self.requiredACRValues = requiredACRValues
        self.followsNewRegistration = followsNewRegistration
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.returnTo = returnTo
        self.provider = provider
        self.createdAt = createdAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decode(String.self, forKey: .state)
        nonce = try container.decode(String.self, forKey: .nonce)
        codeVerifier = try container.decode(String.self, forKey: .codeVerifier)
        returnTo = try container.decode(String.self, forKey: .returnTo)
        provider = try container.decode(String.self, forKey: .provider)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        // Login states issued before re-checks existed are logins.
        isRecheck = try container.decodeIfPresent(Bool.self, forKey: .isRecheck) ?? false
        maxAge = try container.decodeIfPresent(Int64.self, forKey: .maxAge)
        requiredACRValues = try container.decodeIfPresent(String.self, forKey: .requiredACRValues)?.split(separator: " ").map(String.init) ?? []
        followsNewRegistration = try container.decodeIfPresent(Bool.self, forKey: .followsNewRegistration) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(nonce, forKey: .nonce)
        try container.encode(codeVerifier, forKey: .codeVerifier)
        try container.encode(returnTo, forKey: .returnTo)
        try container.encode(provider, forKey: .provider)
        try container.encode(createdAt, forKey: .createdAt)
        // Only when set: a login's cookie stays as small as before.
        if isRecheck { try container.encode(true, forKey: .isRecheck) }
        try container.encodeIfPresent(maxAge, forKey: .maxAge)
        if !requiredACRValues.isEmpty { try container.encode(requiredACRValues.joined(separator: " "), forKey: .requiredACRValues) }
        if followsNewRegistration { try container.encode(true, forKey: .followsNewRegistration) }
    }

    /// The JSON `encode(to:)` writes, without Foundation's encoder: a login's
    /// answer seals it into a cookie, and the encoder cost a quarter of that answer.
    var encodedJSON: [UInt8] {
        var writer = JSONObjectWriter(capacity: 192 + returnTo.utf8.count)
        writer.string(CodingKeys.state.rawValue, state)
        writer.string(CodingKeys.nonce.rawValue, nonce)
        writer.string(CodingKeys.codeVerifier.rawValue, codeVerifier)
        writer.string(CodingKeys.returnTo.rawValue, returnTo)
        writer.string(CodingKeys.provider.rawValue, provider)
        writer.integer(CodingKeys.createdAt.rawValue, createdAt)
        if isRecheck { writer.boolean(CodingKeys.isRecheck.rawValue, true) }
        if let maxAge { writer.integer(CodingKeys.maxAge.rawValue, maxAge) }
        if !requiredACRValues.isEmpty { writer.string(CodingKeys.requiredACRValues.rawValue, requiredACRValues.joined(separator: " ")) }
        if followsNewRegistration { writer.boolean(CodingKeys.followsNewRegistration.rawValue, true) }
        return writer.finished()
    }

    /// The length of a `state` value: 32 random bytes in unpadded base64url.
    public static let stateLength = 43

    /// True for values of the shape oidc-fcgi itself issues (43 base64url
    /// characters). Anything else that arrives as `state` was not made here and
    /// is refused before it is used for anything, cookie names included.
    public static func isWellFormedState(_ text: String) -> Bool {
        text.utf8.count == stateLength && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
    }
}
