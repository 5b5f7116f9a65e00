import JOSE
import Logging
import Synchronization

/// Provider metadata and signing keys for every configured provider, kept as
/// immutable snapshots swapped under a mutex.
///
/// No request waits for a refresh: a stale snapshot is served at once while one
/// refresh runs on the background runner (stale-while-revalidate); fetches are
/// single-flight per provider; after a failed fetch the next one waits a backoff
/// (1 s doubling to 60 s), during which callers get the cached copy or, when
/// there is none, an immediate error. When a token's key is not in the cached
/// set, the keys are refetched on the caller (`refreshKeys`), at most once per
/// `keyRefetchInterval`, counted only over those refetches that succeeded: a failed
/// one is retried after the initial backoff, and meanwhile such callers are told the
/// keys are unavailable (a 503) rather than that their token is bad.
public final class ProviderDirectory: Sendable {
    public struct Snapshot: Sendable {
        public let metadata: ProviderMetadata
        public let keys: JWKSet
        public let fetchedAt: Int64
        public let keysFetchedAt: Int64
        /// Different for every key set this process fetched: what was checked
        /// against one set is known to still hold while the version is the same.
        public let keysVersion: UInt64
    }

    private static let keyFetches = Atomic<UInt64>(0)
    private static func nextKeysVersion() -> UInt64 { keyFetches.add(1, ordering: .relaxed).newValue }

    /// What is known about one provider.
    private struct Entry {
        var snapshot: Snapshot?
        /// A metadata fetch is running (single flight).
        var fetching = false
        /// Consecutive failed fetches, for the backoff.
        var failures = 0
        /// No fetch starts before this.
        var retryAt = Int64.min
        var lastFailure: ProviderError?
        /// When the last refetch for an unknown key started (a failed one: moved back, so the
        /// next may start after the initial backoff).
        var unknownKeyRefetchAt: Int64?
        /// A refetch for an unknown key is running.
        var keyRefetching = false
        /// Why the last refetch for an unknown key failed; nil after a success.
        var keyRefetchFailure: ProviderError?
    }

    private let http: any HTTPTransport
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: any RelyingPartyMetrics
    private let runner: any BackgroundRunner
    private let keyRefetchInterval: Int64
    private let initialBackoff: Int64
    private let maxBackoff: Int64
    private let entries = Mutex<[String: Entry]>([:])

    public init(http: any HTTPTransport, clock: any WallClock, logger: Logger, runner: any BackgroundRunner = InlineRunner(), metrics: any RelyingPartyMetrics = NoMetrics(),
                keyRefetchInterval: Int64 = 30, initialBackoff: Int64 = 1, maxBackoff: Int64 = 60) {
        self.http = http
        self.clock = clock
        self.logger = logger
        self.runner = runner
        self.metrics = metrics
        self.keyRefetchInterval = keyRefetchInterval
        self.initialBackoff = max(1, initialBackoff)
        self.maxBackoff = max(self.initialBackoff, maxBackoff)
    }

    /// True once the provider's metadata and keys were loaded (fresh or stale), without a fetch.
    public func hasMetadata(for provider: ProviderSettings) -> Bool {
        entries.withLock { $0[provider.name]?.snapshot != nil }
    }

    /// A reload: takes over `previous`'s cached metadata and keys (and their
    /// backoff) for the providers `named`, whose source did not change. Fetches
    /// still running there finish there; this directory starts its own when due.
    public func adoptCaches(of names: Set<String>, from previous: ProviderDirectory) {
        let carried = previous.entries.withLock { all in all.filter { names.contains($0.key) } }
        entries.withLock { all in
            for (name, var entry) in carried {
                entry.fetching = false
                entry.keyRefetching = false
                all[name] = entry
            }
        }
    }

    /// Starts loading every provider in the background, so the first logins find the metadata ready.
    public func prefetch(_ providers: [ProviderSettings]) {
        // One after another, in one background task: started side by side, the
        // fetches would compete for the `http.max_concurrent` slots, and with a
        // small limit (few workers) all but the first were refused at start-up.
        let due = entries.withLock { all in
            providers.filter { provider in
                var entry = all[provider.name] ?? Entry()
                guard entry.snapshot == nil, !entry.fetching else { return false }
                entry.fetching = true
                all[provider.name] = entry
                return true
            }
        }
        guard !due.isEmpty else { return }
        runner.run { for provider in due { self.refresh(provider) } }
    }

    /// The metadata and keys to use now. Fresh: returned. Stale: returned at once while one
    /// refresh runs in the background. None yet: one fetch is started (in the background; with
    /// `InlineRunner` right here) and, if it has not finished, the caller gets `.notLoadedYet`
    /// at once instead of waiting behind it; after a failure, the error until the backoff ends.
    public func snapshot(for provider: ProviderSettings) throws(ProviderError) -> Snapshot {
        enum Plan { case use(Snapshot), refreshAndUse(Snapshot), fetch, fail(ProviderError) }
        let now = clock.now()
        let plan = entries.withLock { all -> Plan in
            var entry = all[provider.name] ?? Entry()
            defer { all[provider.name] = entry }
            if let current = entry.snapshot, now - current.fetchedAt < provider.metadataRefreshSeconds {
                return .use(current)
            }
            if entry.fetching || now < entry.retryAt {
                if let stale = entry.snapshot { return .use(stale) }
                if entry.fetching { return .fail(.notLoadedYet(issuer: provider.issuer)) }
                return .fail(.retryingLater(issuer: provider.issuer, lastFailure: entry.lastFailure.map { "\($0)" } ?? "unknown",
                                            inSeconds: entry.retryAt - now))
            }
            entry.fetching = true
            return entry.snapshot.map(Plan.refreshAndUse) ?? .fetch
        }
        switch plan {
        case .use(let snapshot):
            return snapshot
        case .fail(let error):
            throw error
        case .refreshAndUse(let stale):
            runner.run { self.refresh(provider) }
            // The fresh copy when the refresh already finished (inline runner), else the stale one.
            return entries.withLock { $0[provider.name]?.snapshot } ?? stale
        case .fetch:
            runner.run { self.refresh(provider) }
            // Finished already with an inline runner; otherwise still running.
            let after = entries.withLock { $0[provider.name] ?? Entry() }
            if let loaded = after.snapshot { return loaded }
            if !after.fetching, let failure = after.lastFailure { throw failure }
            throw .notLoadedYet(issuer: provider.issuer)
        }
    }

    /// Called when no cached key verifies a token (its kid is unknown, or without kid none of the keys
    /// checks): the keys that `failed` held may have been rotated out. Returns the snapshot to retry
    /// with — a newer one at once when the keys have changed since, else one with freshly fetched keys —
    /// or nil when such a refetch succeeded less than `keyRefetchInterval` seconds ago. Throws
    /// when the keys cannot be had now: the fetch failed, another caller's fetch is running, or
    /// the last one failed and its retry is not due yet.
    public func refreshKeys(for provider: ProviderSettings, replacing failed: Snapshot) throws(ProviderError) -> Snapshot? {
        enum Plan { case retry(Snapshot), fetch(jwksURI: String), rateLimited, unavailable(ProviderError) }
        let now = clock.now()
        let plan = entries.withLock { all -> Plan in
            var entry = all[provider.name] ?? Entry()
            defer { all[provider.name] = entry }
            if let current = entry.snapshot, current.keys !== failed.keys { return .retry(current) }
            if entry.keyRefetching {
                return .unavailable(.keysRefetching(issuer: provider.issuer, lastFailure: nil))
            }
            if let last = entry.unknownKeyRefetchAt, now - last < keyRefetchInterval, now >= last {
                guard let failure = entry.keyRefetchFailure else { return .rateLimited }
                return .unavailable(.keysRefetching(issuer: provider.issuer, lastFailure: "\(failure)"))
            }
            entry.unknownKeyRefetchAt = now
            entry.keyRefetching = true
            return .fetch(jwksURI: (entry.snapshot ?? failed).metadata.jwksURI)
        }
        switch plan {
        case .retry(let newer):
            return newer
        case .unavailable(let error):
            throw error
        case .rateLimited:
            logger.warning("no cached key verifies the token, and the keys were refetched less than \(keyRefetchInterval)s ago; not fetching again yet",
                           metadata: ["provider": "\(provider.name)"])
            return nil
        case .fetch(let jwksURI):
            metrics.signingKeysRefetched()
            let keys: JWKSet
            do {
                keys = try fetchKeys(provider, jwksURI: jwksURI)
            } catch {
                let retryIn = initialBackoff
                entries.withLock { all in
                    var entry = all[provider.name] ?? Entry()
                    defer { all[provider.name] = entry }
                    entry.keyRefetching = false
                    entry.keyRefetchFailure = error
                    // A failure does not use up the interval: the next refetch may start after the backoff.
                    entry.unknownKeyRefetchAt = clock.now() - keyRefetchInterval + retryIn
                }
                throw error
            }
            let updated = entries.withLock { all -> Snapshot in
                var entry = all[provider.name] ?? Entry()
                defer { all[provider.name] = entry }
                let base = entry.snapshot ?? failed
                let updated = Snapshot(metadata: base.metadata, keys: keys, fetchedAt: base.fetchedAt, keysFetchedAt: now, keysVersion: Self.nextKeysVersion())
                entry.snapshot = updated
                entry.keyRefetching = false
                entry.keyRefetchFailure = nil
                return updated
            }
            logger.info("fetched the provider's signing keys again: no cached key verified a token", metadata: ["provider": "\(provider.name)", "keys": "\(keys.count)"])
            return updated
        }
    }

    /// One fetch of metadata and keys; records the result (the new snapshot, or the failure and its backoff).
    private func refresh(_ provider: ProviderSettings) {
        let started = clock.now()
        let result: Result<Snapshot, ProviderError>
        do { result = .success(try fetch(provider, now: started)) } catch { result = .failure(error) }
        let (stale, delay) = entries.withLock { all -> (Snapshot?, Int64) in
            var entry = all[provider.name] ?? Entry()
            defer { all[provider.name] = entry }
            entry.fetching = false
            switch result {
            case .success(let fresh):
                entry.snapshot = fresh
                entry.failures = 0
                entry.retryAt = .min
                entry.lastFailure = nil
                return (nil, 0)
            case .failure(let error):
                entry.failures += 1
                let delay = min(maxBackoff, initialBackoff << min(entry.failures - 1, 20))
                entry.retryAt = clock.now() + delay
                entry.lastFailure = error
                return (entry.snapshot, delay)
            }
        }
        switch result {
        case .success(let fresh):
            logger.info("loaded provider metadata", metadata: ["provider": "\(provider.name)", "issuer": "\(fresh.metadata.issuer)", "keys": "\(fresh.keys.count)"])
        case .failure(let error):
            let serving = stale.map { "serving the copy from \(started - $0.fetchedAt)s ago" } ?? "no copy cached: logins get 503 until it loads"
            logger.warning("fetching provider metadata failed; next attempt in \(delay)s, \(serving)",
                           metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
        }
    }

    private func fetch(_ provider: ProviderSettings, now: Int64) throws(ProviderError) -> Snapshot {
        let metadata: ProviderMetadata
        if let configured = provider.staticMetadata {
            metadata = configured
        } else {
            let body = try get(ProviderMetadata.discoveryURL(forIssuer: provider.issuer), issuer: provider.issuer, endpoint: .discovery)
            metadata = try ProviderMetadata.parse(discoveryDocument: body, expectedIssuer: provider.issuer)
        }
        let keys = try fetchKeys(provider, jwksURI: metadata.jwksURI)
        return Snapshot(metadata: metadata, keys: keys, fetchedAt: now, keysFetchedAt: now, keysVersion: Self.nextKeysVersion())
    }

    private func fetchKeys(_ provider: ProviderSettings, jwksURI: String) throws(ProviderError) -> JWKSet {
        let body = try get(jwksURI, issuer: provider.issuer, endpoint: .jwks)
        do {
            return try JWKSet(json: body)
        } catch {
            throw .invalidKeySet(issuer: provider.issuer, reason: "\(error)")
        }
    }

    private func get(_ url: String, issuer: String, endpoint: ProviderEndpoint) throws(ProviderError) -> [UInt8] {
        let response: InboundResponse
        do {
            response = try http.perform(OutboundRequest(method: .get, url: url, headers: [("Accept", "application/json")], endpoint: endpoint))
        } catch {
            if case .overloaded(_, let limit) = error { throw .overloaded(issuer: issuer, limit: limit) }
            throw .unreachable(issuer: issuer, reason: error.description)
        }
        guard response.status == 200 else { throw .httpStatus(issuer: issuer, url: url, status: response.status) }
        return response.body
    }
}
