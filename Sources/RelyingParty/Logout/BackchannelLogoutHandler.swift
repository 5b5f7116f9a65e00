import JOSE
import Logging

/// Back-Channel Logout 1.0: the provider POSTs a logout token; a valid one ends
/// the sessions it names wherever they were created (every instance sharing
/// the store). 200 when done; 400 with a JSON `error` for a token that is not
/// acceptable, ending nothing; 503 when the store or the provider's keys cannot
/// be reached, so the provider may send it again. Never cached.
struct BackchannelLogoutHandler: Sendable {
    /// Logout tokens are small; anything longer is refused before parsing.
    static let maxTokenBytes = 16 * 1024

    let providerSettings: [ProviderSettings]
    let clockSkewSeconds: Int64
    let providers: ProviderDirectory
    let registrar: ClientRegistrar
    let keyVerifier: RotatingKeyVerifier
    let sessions: SessionManager
    let store: any KeyValueStore
    let clock: any WallClock
    let logger: Logger
    let metrics: any RelyingPartyMetrics
    private let validator = LogoutTokenValidator()

    init(context: RelyingPartyContext) {
        providerSettings = context.settings.providers
        clockSkewSeconds = context.settings.clockSkewSeconds
        providers = context.providers
        registrar = context.registrar
        keyVerifier = context.keyVerifier
        sessions = context.sessions
        store = context.store
        clock = context.clock
        logger = context.logger
        metrics = context.metrics
    }

    func handle(_ request: Request) -> Response {
        guard request.method == "POST" else {
            return LogoutAnswer.refused(405, error: "invalid_request", description: "POST the logout_token as a form",
                                        extra: [Response.Header("Allow", "POST")])
        }
        let contentType = request.params["CONTENT_TYPE"]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard contentType == "application/x-www-form-urlencoded" else {
            return refuse("the body must be application/x-www-form-urlencoded", log: "back-channel logout without a form body")
        }
        guard request.body.count <= Self.maxTokenBytes + 64 else {
            return refuse("the logout_token is too long", log: "back-channel logout body over \(Self.maxTokenBytes) bytes")
        }
        let form = FormEncoding.decode(String(decoding: request.body, as: UTF8.self))
        guard let token = FormEncoding.single("logout_token", in: form), !token.isEmpty else {
            return refuse("the request needs exactly one logout_token", log: "back-channel logout without a single logout_token")
        }
        guard let provider = provider(for: token, named: request.params["OIDC_PROVIDER"]) else {
            return refuse("the logout token's issuer and audience match no configured provider",
                          log: "back-channel logout token from an unknown issuer or for another client")
        }
        let snapshot: ProviderDirectory.Snapshot
        do { snapshot = try providers.snapshot(for: provider) } catch {
            return unavailable("the provider's keys cannot be loaded now", log: "back-channel logout: \(error)", provider: provider)
        }
        let expectations = LogoutTokenExpectations(
            issuer: snapshot.metadata.issuer, clientID: provider.clientID, allowedAlgorithms: provider.allowedAlgorithms,
            clockSkewSeconds: clockSkewSeconds, now: clock.now())
        let secret = Array(provider.clientSecret.utf8)
        let ask: LogoutTokenValidator.Request
        do {
            ask = try keyVerifier.verify(token, provider: provider, snapshot: snapshot) { keys throws(LogoutTokenError) in
                try validator.validate(token, keys: keys, clientSecret: secret, expecting: expectations)
            }
        } catch {
            if case .keysUnavailable = error {
                return unavailable("the provider's keys cannot be loaded now", log: "back-channel logout: \(error)", provider: provider)
            }
            return refuse(error.description, log: "back-channel logout token refused: \(error)", provider: provider)
        }
        return end(ask, provider: provider)
    }

    private func end(_ ask: LogoutTokenValidator.Request, provider: ProviderSettings) -> Response {
        // The jti is remembered first: a replay, even to another instance, ends nothing.
        let marker = Digest.sha256.hexKey("logout-token:", "\(provider.name)\u{0}\(ask.tokenID)")
        let ttl = Int(max(1, ask.rememberUntil - clock.now() + 1))
        do {
            guard try store.add(marker, value: [1], ttlSeconds: ttl) else {
                return refuse("the logout token was already used", log: "back-channel logout token replayed", provider: provider)
            }
        } catch {
            return unavailable("the session store is unavailable", log: "back-channel logout: \(error)", provider: provider)
        }
        do {
            if let sid = ask.sessionID {
                try sessions.endSessions(provider: provider.name, providerSessionID: sid)
            } else if let subject = ask.subject {
                try sessions.endSessions(provider: provider.name, subject: subject)
            }
        } catch {
            // Forget the jti so the provider's retry of this very token is accepted.
            try? store.delete(marker)
            return unavailable("the session store is unavailable", log: "back-channel logout: \(error)", provider: provider)
        }
        logger.info("back-channel logout ended sessions", metadata: [
            "provider": "\(provider.name)", "by": "\(ask.sessionID != nil ? "sid" : "sub")",
        ])
        metrics.loggedOut(.backChannel)
        return LogoutAnswer.success()
    }

    /// The configured provider the token claims to come from, by its (not yet
    /// verified) `iss` and `aud`; the validator then checks both for real.
    private func provider(for token: String, named name: String?) -> ProviderSettings? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])),
              let claims = JSONValue.parse(payload)?.objectValue, let issuer = claims["iss"]?.stringValue
        else { return nil }
        let audiences = (try? ClaimReader(claims).audiences()) ?? []
        // Registered clients as already stored: a logout token never causes a registration.
        return providerSettings.map(registrar.knownClient(for:)).first { provider in
            (name == nil || name == "" || provider.name == name) && provider.issuer == issuer && audiences.contains(provider.clientID)
        }
    }

    private func refuse(_ description: String, log: String, provider: ProviderSettings? = nil) -> Response {
        logger.warning("\(log)", metadata: provider.map { ["provider": "\($0.name)"] } ?? [:])
        return LogoutAnswer.refused(400, error: "invalid_request", description: description)
    }

    private func unavailable(_ description: String, log: String, provider: ProviderSettings) -> Response {
        logger.error("\(log)", metadata: ["provider": "\(provider.name)"])
        return LogoutAnswer.refused(503, error: "temporarily_unavailable", description: description,
                                    extra: [Response.Header(.retryAfter, "5")])
    }
}
