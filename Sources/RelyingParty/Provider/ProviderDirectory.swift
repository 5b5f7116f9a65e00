import JOSE
import Logging
import Synchronization

/// Provider metadata and signing keys for every configured provider: fetched on
/// first use, kept as immutable snapshots swapped under a mutex, refreshed when
/// old, and the keys refetched (at most once per `keyRefetchInterval`) when a
/// token names a key id we do not know.
public final class ProviderDirectory: Sendable {
    public struct Snapshot: Sendable {
        public let metadata: ProviderMetadata
        public let keys: JWKSet
        public let fetchedAt: Int64
        public let keysFetchedAt: Int64
    }

    private let http: any HTTPTransport
    private let clock: any WallClock
    private let logger: Logger
    private let keyRefetchInterval: Int64
    private let snapshots = Mutex<[String: Snapshot]>([:])

    public init(http: any HTTPTransport, clock: any WallClock, logger: Logger, keyRefetchInterval: Int64 = 30) {
        self.http = http
        self.clock = clock
        self.logger = logger
        self.keyRefetchInterval = keyRefetchInterval
    }

    /// Current metadata and keys, fetching them when absent or older than the provider's refresh interval.
    /// When a refresh fails but an older snapshot exists, the older one keeps serving (and the failure is logged).
    public func snapshot(for provider: ProviderSettings) throws(ProviderError) -> Snapshot {
        let now = clock.now()
        let existing = snapshots.withLock { $0[provider.name] }
        if let existing, now - existing.fetchedAt < provider.metadataRefreshSeconds {
            return existing
        }
        do {
            let fresh = try fetch(provider, now: now)
            snapshots.withLock { $0[provider.name] = fresh }
            return fresh
        } catch {
            if let existing {
                logger.warning("refreshing provider metadata failed; using the copy from \(now - existing.fetchedAt)s ago", metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
                return existing
            }
            throw error
        }
    }

    /// Called when a token names an unknown key id: fetches the key set again unless
    /// that was done less than `keyRefetchInterval` seconds ago. Returns the snapshot to retry with,
    /// or nil when rate-limited.
    public func refreshKeys(for provider: ProviderSettings) throws(ProviderError) -> Snapshot? {
        let now = clock.now()
        let current = try snapshot(for: provider)
        guard now - current.keysFetchedAt >= keyRefetchInterval else { return nil }
        let keys = try fetchKeys(provider, jwksURI: current.metadata.jwksURI)
        let updated = Snapshot(metadata: current.metadata, keys: keys, fetchedAt: current.fetchedAt, keysFetchedAt: now)
        snapshots.withLock { $0[provider.name] = updated }
        logger.info("fetched the provider's signing keys again for an unknown key id", metadata: ["provider": "\(provider.name)", "keys": "\(keys.count)"])
        return updated
    }

    private func fetch(_ provider: ProviderSettings, now: Int64) throws(ProviderError) -> Snapshot {
        let metadata: ProviderMetadata
        if let configured = provider.staticMetadata {
            metadata = configured
        } else {
            let body = try get(ProviderMetadata.discoveryURL(forIssuer: provider.issuer), issuer: provider.issuer)
            metadata = try ProviderMetadata.parse(discoveryDocument: body, expectedIssuer: provider.issuer)
        }
        let keys = try fetchKeys(provider, jwksURI: metadata.jwksURI)
        logger.info("loaded provider metadata", metadata: ["provider": "\(provider.name)", "issuer": "\(metadata.issuer)", "keys": "\(keys.count)"])
        return Snapshot(metadata: metadata, keys: keys, fetchedAt: now, keysFetchedAt: now)
    }

    private func fetchKeys(_ provider: ProviderSettings, jwksURI: String) throws(ProviderError) -> JWKSet {
        let body = try get(jwksURI, issuer: provider.issuer)
        do {
            return try JWKSet(json: body)
        } catch {
            throw .invalidKeySet(issuer: provider.issuer, reason: "\(error)")
        }
    }

    private func get(_ url: String, issuer: String) throws(ProviderError) -> [UInt8] {
        let response: InboundResponse
        do {
            response = try http.perform(OutboundRequest(method: .get, url: url, headers: [("Accept", "application/json")]))
        } catch {
            throw .unreachable(issuer: issuer, reason: error.description)
        }
        guard response.status == 200 else { throw .httpStatus(issuer: issuer, url: url, status: response.status) }
        return response.body
    }
}
