import Logging

/// The session's access token for a location that hands it to the application,
/// refreshed first when it has expired or will within the margin.
///
/// One refresh per session at a time, on every instance sharing the store: the
/// request that wins the store's lock (`add`) calls the provider; the others
/// wait a bounded time for the result it stores and use it. A refresh the
/// provider refuses ends the session (the user logs in again); a provider that
/// cannot be reached is a 503, never a pass and never the end of the session.
public struct AccessTokenRefresher: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// A valid access token to hand on.
        case token(String)
        /// The session was ended: its refresh token is refused, revoked or missing.
        case sessionEnded
        /// The store or the provider cannot answer now (or another request's
        /// refresh did not finish in time): 503.
        case unavailable
    }

    private let sessions: SessionManager
    private let tokens: SessionTokenStore
    private let providers: ProviderDirectory
    private let registrar: ClientRegistrar?
    private let tokenEndpoint: TokenEndpointClient
    private let clock: any WallClock
    private let sleeper: any Sleeper
    private let settings: TokenRefreshSettings
    private let logger: Logger

    public init(sessions: SessionManager, tokens: SessionTokenStore, providers: ProviderDirectory, registrar: ClientRegistrar? = nil, tokenEndpoint: TokenEndpointClient,
                clock: any WallClock, sleeper: any Sleeper, settings: TokenRefreshSettings, logger: Logger) {
        self.sessions = sessions
        self.tokens = tokens
        self.providers = providers
        self.registrar = registrar
        self.tokenEndpoint = tokenEndpoint
        self.clock = clock
        self.sleeper = sleeper
        self.settings = settings
        self.logger = logger
    }

    /// `session` is the valid record just looked up with `cookieValue`.
    public func accessToken(for session: SessionRecord, cookieValue: String, provider: ProviderSettings) -> Outcome {
        guard let id = SessionID(cookieValue: cookieValue) else { return .sessionEnded }
        do {
            let current = try tokens.current(id) ?? SessionTokens(loggedIn: session)
            if let token = usable(current) { return .token(token) }
            guard try tokens.lock(id, ttlSeconds: settings.lockSeconds) else { return waitForRefresh(of: id, session: session) }
            defer {
                do { try tokens.unlock(id) } catch { logger.warning("could not release the refresh lock; it expires by itself", metadata: ["reason": "\(error)"]) }
            }
            // Another request may have finished a refresh between the read above and the lock.
            let latest = try tokens.current(id) ?? SessionTokens(loggedIn: session)
            if let token = usable(latest) { return .token(token) }
            return refresh(latest, of: id, session: session, provider: provider)
        } catch {
            logger.error("cannot read the session store for the access token; denying", metadata: ["reason": "\(error)"])
            return .unavailable
        }
    }

    private func usable(_ tokens: SessionTokens) -> String? {
        tokens.needsRefresh(now: clock.now(), marginSeconds: settings.marginSeconds) ? nil : tokens.accessToken
    }

    /// Called holding the lock.
    private func refresh(_ current: SessionTokens, of id: SessionID, session: SessionRecord, provider configured: ProviderSettings) -> Outcome {
        var provider = configured
        let metadata: Logger.Metadata = ["provider": "\(provider.name)", "user": "\(session.user.prefix(64))"]
        guard let refreshToken = current.refreshToken, !refreshToken.isEmpty else {
            return end(id, session: session, why: "the access token expired and the session has no refresh token", metadata: metadata)
        }
        let providerMetadata: ProviderMetadata
        do { providerMetadata = try providers.snapshot(for: provider).metadata } catch {
            logger.error("cannot refresh the access token: the provider's metadata is unavailable", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            return .unavailable
        }
        if let registrar {
            do { provider = try registrar.client(for: provider, metadata: providerMetadata) } catch {
                logger.error("cannot refresh the access token: no registered client", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
                return .unavailable
            }
        }
        // Expiry counts from before the call, so a slow answer errs on the early side.
        let requestedAt = clock.now()
        let answer: RefreshedTokens
        do { answer = try tokenEndpoint.refresh(refreshToken: refreshToken, provider: provider, metadata: providerMetadata) } catch {
            if case .clientAuthenticationRefused = error, let registrar, provider.registration != nil {
                // The provider forgot the client: its refresh tokens went with it. Register anew for the next login.
                do { _ = try registrar.replace(rejected: provider, metadata: providerMetadata) } catch {
                    logger.error("the provider refused the registered client and registering a new one failed", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
                    return .unavailable
                }
                return end(id, session: session, why: "the provider refused the registered client; a new one is registered for the next login", metadata: metadata)
            }
            if case .refused(let status, let code, _) = error, status < 500 {
                return end(id, session: session, why: "the provider refused the refresh token (\(code))", metadata: metadata)
            }
            logger.error("cannot refresh the access token; answering 503", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            return .unavailable
        }
        let fresh = current.refreshed(with: answer, now: requestedAt)
        do { try tokens.save(fresh, for: id, sessionExpiresAt: session.expiresAt) } catch {
            // The provider may have rotated the refresh token away: this session cannot refresh again.
            logger.error("refreshed the access token but cannot store it; answering 503", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            return .unavailable
        }
        logger.info("refreshed the session's access token", metadata: metadata.merging([
            "expires_in": "\(answer.expiresIn.map(String.init) ?? "unknown")", "rotated": "\(answer.refreshToken.map { !$0.isEmpty } ?? false)",
        ]) { $1 })
        return .token(answer.accessToken)
    }

    private func end(_ id: SessionID, session: SessionRecord, why: String, metadata: Logger.Metadata) -> Outcome {
        do { try sessions.destroy(cookieValue: id.cookieValue) } catch {
            logger.error("cannot end the session whose refresh failed; answering 503", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            return .unavailable
        }
        logger.info("session ended: \(why)", metadata: metadata)
        return .sessionEnded
    }

    /// Another request holds the lock: poll the store until its result is there,
    /// it gave up, or the wait is over.
    private func waitForRefresh(of id: SessionID, session: SessionRecord) -> Outcome {
        let polls = max(1, settings.waitMilliseconds / max(1, settings.pollMilliseconds))
        for _ in 0..<polls {
            sleeper.sleep(milliseconds: settings.pollMilliseconds)
            let look: SessionTokenStore.Look
            do { look = try tokens.look(id) } catch {
                logger.error("cannot read the session store while waiting for a refresh; denying", metadata: ["reason": "\(error)"])
                return .unavailable
            }
            guard look.sessionExists else { return .sessionEnded }
            if let fresh = look.tokens, let token = usable(fresh) { return .token(token) }
            if !look.locked {
                logger.warning("another request's refresh of this session's access token failed; answering 503", metadata: ["user": "\(session.user.prefix(64))"])
                return .unavailable
            }
        }
        logger.warning("another request's refresh of this session's access token did not finish in time; answering 503",
                       metadata: ["user": "\(session.user.prefix(64))", "waited_ms": "\(polls * settings.pollMilliseconds)"])
        return .unavailable
    }
}
