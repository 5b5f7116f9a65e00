import JOSE

/// Creates, finds, refreshes and ends sessions in a `KeyValueStore`.
/// A store failure is thrown, never read as "no session".
///
/// Each session belongs to the logout groups of its user and, when the provider
/// gave one, of its provider session (`SessionGroup`). A lookup reads the
/// session and its group entries in one `getMany`; a provider-initiated logout
/// deletes a group entry, which ends every session of the group wherever it
/// was created.
///
/// Everything one lookup reads — the session and its group entries — is
/// placed by the user's group tag, so with several memcached servers it lives
/// on one server: a check is one round trip and depends on that server only.
public struct SessionManager: Sendable {
    public enum LookupResult: Sendable, Equatable {
        case valid(SessionRecord)
        /// Unknown id, undecryptable value, a cookie that is not a session id, or
        /// a session whose logout group was ended.
        case absent
        case expired
    }

    private let store: any KeyValueStore
    private let sealer: Sealer
    private let clock: any WallClock
    private let random: any RandomSource
    private let settings: SessionSettings

    public init(store: any KeyValueStore, settings: SessionSettings, clock: any WallClock, random: any RandomSource) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.random = random
        sealer = Sealer(secrets: settings.secrets, purpose: "session", random: random)
    }

    /// Seconds between two writes that only move `lastSeenAt` forward: keeps the
    /// hot path to one read while bounding the inactivity error.
    var touchInterval: Int64 { max(1, min(60, settings.inactivityTimeoutSeconds / 10)) }

    /// A group entry lives as long as the longest session that may join it.
    private var groupTTL: Int { Int(settings.maxLifetimeSeconds) + 60 }

    public func create(_ record: SessionRecord) throws(StoreError) -> SessionID {
        var record = record
        var groups = [SessionGroup(.user, provider: record.provider, value: record.subject, secret: settings.secrets[0])]
        if let sid = record.providerSessionID, !sid.isEmpty {
            groups.append(SessionGroup(.providerSession, provider: record.provider, value: sid, secret: settings.secrets[0]))
        }
        let placed = store.placed(by: groups[0].tag)
        record.groupGenerations = []
        for group in groups { record.groupGenerations.append(try join(group, in: placed)) }
        let id = SessionID(random: random, groups: groups)
        try write(record, key: id.storeKey, in: placed)
        return id
    }

    /// True when every group entry read holds the generation the session
    /// joined (compared as bytes: no string is made per request).
    private static func holdGenerations(_ entries: ArraySlice<[UInt8]?>, _ generations: [String]) -> Bool {
        guard entries.count == generations.count else { return false }
        for (entry, generation) in zip(entries, generations) {
            guard let entry, generation.utf8.elementsEqual(entry) else { return false }
        }
        return true
    }

    public func lookup(cookieValue: String) throws(StoreError) -> LookupResult {
        guard let id = SessionID(cookieValue: cookieValue) else { return .absent }
        let key = id.storeKey
        let store = placed(id)
        var keys: [String] = []
        keys.reserveCapacity(1 + id.groups.count)
        keys.append(key)
        for group in id.groups { keys.append(group.storeKey) }
        let values = try store.getMany(keys)
        guard let sealed = values[0] else { return .absent }
        guard let plain = sealer.open(sealed, context: key), var record = SessionRecordCodec.decode(plain) else { return .absent }
        guard Self.holdGenerations(values.dropFirst(), record.groupGenerations) else {
            // Ended by a provider-initiated logout (or its group entry was lost): never usable again.
            try store.delete(key)
            return .absent
        }
        let now = clock.now()
        // Compared as `lastSeenAt <= now - limit`: a stored time can be anything, a subtraction from it could overflow.
        if now >= record.expiresAt || record.lastSeenAt <= now - settings.inactivityTimeoutSeconds {
            try store.delete(key)
            return .expired
        }
        if record.lastSeenAt <= now - touchInterval {
            record.lastSeenAt = now
            try write(record, key: key, in: store)
        }
        return .valid(record)
    }

    /// Deletes the session and its refreshed tokens.
    public func destroy(cookieValue: String) throws(StoreError) {
        guard let id = SessionID(cookieValue: cookieValue) else { return }
        let store = placed(id)
        try store.delete(id.storeKey)
        try store.delete(id.tokensKey)
    }

    /// A session's keys are placed by its user group (the first in its id).
    private func placed(_ id: SessionID) -> any KeyValueStore {
        id.groups.first.map { store.placed(by: $0.tag) } ?? store
    }

    /// Ends every session of `subject` at `provider`, on every instance sharing the store.
    public func endSessions(provider: String, subject: String) throws(StoreError) {
        try endGroup(.user, provider: provider, value: subject)
    }

    /// Ends every session made in the provider session `sid` of `provider`.
    public func endSessions(provider: String, providerSessionID sid: String) throws(StoreError) {
        try endGroup(.providerSession, provider: provider, value: sid)
    }

    private func endGroup(_ kind: SessionGroup.Kind, provider: String, value: String) throws(StoreError) {
        // Sessions made before a secret rotation carry tags from an older secret.
        for secret in settings.secrets {
            let group = SessionGroup(kind, provider: provider, value: value, secret: secret)
            switch kind {
            case .user: try store.placed(by: group.tag).delete(group.storeKey)
            // Placed by a user tag that a sid alone does not give.
            case .providerSession: try store.deleteWherever(group.storeKey)
            }
        }
    }

    /// The group's current generation, starting one when the group has none,
    /// and extended so the entry outlives the session about to join it.
    private func join(_ group: SessionGroup, in store: any KeyValueStore) throws(StoreError) -> String {
        let key = group.storeKey
        for _ in 0..<4 {
            if let existing = try store.get(key) {
                // touch never revives a deleted entry; reading again catches a
                // logout and a new login that slipped in between.
                if try store.touch(key, ttlSeconds: groupTTL), try store.get(key) == existing {
                    return String(decoding: existing, as: UTF8.self)
                }
                continue
            }
            let fresh = Base64URL.encode(random.bytes(16))
            if try store.add(key, value: Array(fresh.utf8), ttlSeconds: groupTTL) { return fresh }
        }
        throw .unavailable("the session's logout group changed during every attempt to join it; try the login again")
    }

    private func write(_ record: SessionRecord, key: String, in store: any KeyValueStore) throws(StoreError) {
        let now = clock.now()
        // The record's own times decide; the store's expiry only clears it away,
        // so it gets a margin: memcached counts whole seconds, and the next
        // write may come up to `touchInterval` after the inactivity limit's start.
        let ttl = max(1, min(settings.inactivityTimeoutSeconds + touchInterval + 1, record.expiresAt - now + 1))
        try store.set(key, value: sealer.seal(SessionRecordCodec.encode(record), context: key), ttlSeconds: Int(ttl))
    }
}
