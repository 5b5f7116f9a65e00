import Logging

/// Decides whether a bearer token is a valid access token of a provider, and whose:
/// locally as a JWT, or by introspection with the result cached and the call made
/// once per token however many requests carry it at the same moment. A JWT
/// found valid is remembered for a short while (`VerifiedTokenMemo`).
///
/// Fails closed: a provider that cannot answer is an error (503), never an allow;
/// a cache that cannot be read or written only costs a live check.
public struct AccessTokenVerifier: Sendable {
    private let providers: ProviderDirectory
    private let registrar: ClientRegistrar?
    private let keyVerifier: RotatingKeyVerifier
    private let introspection: IntrospectionClient
    private let cache: AccessTokenCache
    private let flights: SingleFlight<Result<IntrospectionClient.Answer, AccessTokenError>>
    private let clock: any WallClock
    private let clockSkewSeconds: Int64
    private let flightWaitMilliseconds: Int
    /// Claims kept in the identity (and the cache) for the identity headers.
    private let logger: Logger
    private let metrics: any RelyingPartyMetrics
    private let jwt = JWTAccessTokenValidator()
    private let memo = VerifiedTokenMemo()

    public init(providers: ProviderDirectory, registrar: ClientRegistrar? = nil, keyVerifier: RotatingKeyVerifier, http: any HTTPTransport, cache: AccessTokenCache,
                clock: any WallClock, clockSkewSeconds: Int64, flightWaitMilliseconds: Int, logger: Logger, metrics: any RelyingPartyMetrics = NoMetrics()) {
        self.providers = providers
        self.registrar = registrar
        self.keyVerifier = keyVerifier
        introspection = IntrospectionClient(http: http, clock: clock)
        self.cache = cache
        flights = SingleFlight()
        self.clock = clock
        self.clockSkewSeconds = clockSkewSeconds
        self.flightWaitMilliseconds = flightWaitMilliseconds
        self.logger = logger
        self.metrics = metrics
    }

    public func verify(_ token: String, provider: ProviderSettings) throws(AccessTokenError) -> AccessTokenIdentity {
        guard token.utf8.count <= provider.api.maxTokenBytes else {
            throw .tooLarge(bytes: token.utf8.count, limit: provider.api.maxTokenBytes)
        }
        var provider = provider
        let snapshot: ProviderDirectory.Snapshot
        do { snapshot = try providers.snapshot(for: provider) } catch { throw .providerUnavailable(error) }
        if let registrar {
            // A registered client: its client_id is the default audience and it authenticates introspection.
            do { provider = try registrar.client(for: provider, metadata: snapshot.metadata) } catch {
                throw .introspectionFailed("no registered client: \(error)")
            }
        }
        let expected = AccessTokenExpectations(
            issuer: snapshot.metadata.issuer, audiences: provider.acceptedAudiences, allowedAlgorithms: provider.accessTokenAlgorithms,
            requireTyp: provider.api.requireTyp, clockSkewSeconds: clockSkewSeconds, now: clock.now(),
            keepClaims: nil)
        let validation = provider.accessTokenValidation(metadata: snapshot.metadata)
        // A token verified a moment ago had a JWT's shape then: it is answered
        // before that shape is parsed again (the header's JSON, on every request).
        if validation != .introspection,
           let known = memo.identity(for: token, provider: provider.name, keysVersion: snapshot.keysVersion, now: expected.now) {
            return known
        }
        switch validation {
        case .jwt:
            guard JWTAccessTokenValidator.looksLikeJWT(token) else { throw .notJWT }
            return try validateJWT(token, provider: provider, snapshot: snapshot, expected: expected)
        case .jwtThenIntrospection where JWTAccessTokenValidator.looksLikeJWT(token):
            return try validateJWT(token, provider: provider, snapshot: snapshot, expected: expected)
        case .jwtThenIntrospection, .introspection:
            guard let endpoint = snapshot.metadata.introspectionEndpoint else { throw .introspectionNotAvailable }
            return try introspect(token, endpoint: endpoint, provider: provider, metadata: snapshot.metadata, expected: expected)
        }
    }

    private func validateJWT(_ token: String, provider: ProviderSettings, snapshot: ProviderDirectory.Snapshot,
                             expected: AccessTokenExpectations) throws(AccessTokenError) -> AccessTokenIdentity {
        let identity = try keyVerifier.verify(token, provider: provider, snapshot: snapshot) { keys throws(AccessTokenError) in
            try jwt.validate(token, keys: keys, expecting: expected)
        }
        // Under the version it was looked up with: after a refetch the next request misses once.
        memo.remember(identity, for: token, provider: provider.name, keysVersion: snapshot.keysVersion, now: expected.now,
                      maxSeconds: provider.api.cacheMaxSeconds)
        return identity
    }

    private func introspect(_ token: String, endpoint: String, provider: ProviderSettings, metadata: ProviderMetadata,
                            expected: AccessTokenExpectations) throws(AccessTokenError) -> AccessTokenIdentity {
        let key = AccessTokenCache.key(for: token, provider: provider.name)
        let cached: AccessTokenCache.Entry?
        do { cached = try cache.lookup(key) } catch {
            logger.warning("cannot read the introspection cache; checking the token with the provider", metadata: ["reason": "\(error)"])
            cached = nil
        }
        metrics.introspectionCacheLookup(hit: cached != nil)
        switch cached {
        case .active(let identity)?: return identity
        case .inactive?: throw .inactive
        case nil: break
        }
        let outcome = flights.run(key: key, timeoutMilliseconds: flightWaitMilliseconds) { () -> Result<IntrospectionClient.Answer, AccessTokenError> in
            let answer: IntrospectionClient.Answer
            do throws(AccessTokenError) {
                answer = try introspection.introspect(token, endpoint: endpoint, provider: provider, metadata: metadata, expecting: expected)
            } catch {
                return .failure(error)
            }
            let entry: AccessTokenCache.Entry
            switch answer {
            case .active(let identity): entry = .active(identity)
            case .inactive: entry = .inactive
            }
            do {
                try cache.save(entry, key: key, maxSeconds: provider.api.cacheMaxSeconds, inactiveSeconds: provider.api.cacheInactiveSeconds)
            } catch {
                logger.warning("cannot write the introspection cache; the next request checks the token again", metadata: ["reason": "\(error)"])
            }
            return .success(answer)
        }
        let result: Result<IntrospectionClient.Answer, AccessTokenError>
        switch outcome {
        case .led(let value), .shared(let value): result = value
        case .timedOut: throw .waitTimedOut(milliseconds: flightWaitMilliseconds)
        }
        switch result {
        case .success(.active(let identity)): return identity
        case .success(.inactive(let why)): throw why
        case .failure(let error): throw error
        }
    }
}
