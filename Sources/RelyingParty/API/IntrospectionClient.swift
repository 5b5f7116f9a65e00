/// Asks the provider about an opaque access token (RFC 7662): a form POST of
/// `token` and `token_type_hint=access_token` with the client's own credentials,
/// through the bounded transport. Only `"active": true` — the JSON boolean — counts
/// as active; an `exp` in the past, another `iss`, or an audience (`aud`, or without
/// it `client_id`) that is not accepted makes the token inactive here too.
public struct IntrospectionClient: Sendable {
    public enum Answer: Sendable, Equatable {
        case active(AccessTokenIdentity)
        /// Not active, or active but not for this resource (the reason, for the log).
        case inactive(AccessTokenError)
    }

    /// The longest introspection answer read; a real one is a few hundred bytes.
    static let maxAnswerBytes = 256 * 1024

    private let http: any HTTPTransport
    private let clock: any WallClock
    private let random: any RandomSource

    public init(http: any HTTPTransport, clock: any WallClock = SystemClock(), random: any RandomSource = SystemRandomSource()) {
        self.http = http
        self.clock = clock
        self.random = random
    }

    /// `metadata`: the provider's, for the client authentication (advertised methods, the assertion's audience).
    public func introspect(_ token: String, endpoint: String, provider: ProviderSettings, metadata: ProviderMetadata,
                           expecting expected: AccessTokenExpectations) throws(AccessTokenError) -> Answer {
        let authentication = ClientAuthentication(provider: provider, metadata: metadata, clock: clock, random: random)
        let request: OutboundRequest
        do {
            request = try authentication.formPost(to: endpoint, form: [("token", token), ("token_type_hint", "access_token")], endpoint: .introspection)
        } catch {
            throw .introspectionFailed("the client assertion could not be made: \(error)")
        }
        let response: InboundResponse
        do {
            response = try http.perform(request)
        } catch {
            if case .overloaded(_, let limit) = error { throw .overloaded(limit: limit) }
            throw .introspectionFailed(error.description)
        }
        if response.status == 401 || JSONValue.parse(response.body)?["error"]?.stringValue == "invalid_client" {
            throw .introspectionFailed("\(authentication.method.refusalMessage) (introspection endpoint, HTTP \(response.status))")
        }
        guard response.status == 200 else {
            // 401/403 here mean the provider refused our client's credentials: a configuration
            // problem, not a bad token; never an allow either.
            throw .introspectionFailed("the introspection endpoint answered HTTP \(response.status)")
        }
        guard response.body.count <= Self.maxAnswerBytes, let object = JSONValue.parse(response.body)?.objectValue else {
            throw .introspectionFailed("the introspection answer is not a JSON object")
        }
        return Self.read(object, expecting: expected)
    }

    /// The meaning of an introspection answer (RFC 7662 §2.2).
    static func read(_ object: [String: JSONValue], expecting expected: AccessTokenExpectations) -> Answer {
        guard object["active"] == .bool(true) else { return .inactive(.inactive) }
        do {
            let identity = try AccessTokenClaims(object).identity(
                from: .introspection, issuer: expected.issuer, acceptedAudiences: expected.audiences,
                clockSkewSeconds: 0, now: expected.now, keepClaims: expected.keepClaims)
            return .active(identity)
        } catch .expired {
            return .inactive(.inactive)
        } catch {
            return .inactive(error)
        }
    }
}
