import JOSE
import Synchronization

/// JWT access tokens this process verified a moment ago, so a client that
/// sends the same token with every request costs one signature check and one
/// JSON parse per `windowSeconds`, not one per request. In memory only, keyed
/// by the provider and a hash of the token; bounded in entries. One memo
/// serves one `AccessTokenVerifier`, whose provider settings do not change.
///
/// An entry is used only while the provider's key set is the one it was
/// verified against (a refetch after a rotation forgets it, so a token signed
/// with a withdrawn key is refused at once), and until the earlier of the
/// token's `exp` and `windowSeconds` after the check (`api.cache_max` when
/// shorter). Introspection results are not kept here: their cache is the
/// store, shared by every instance.
public final class VerifiedTokenMemo: Sendable {
    public static let windowSeconds: Int64 = 60
    /// About 1 KiB each (the identity and its claims).
    public static let defaultCapacity = 4096

    private struct Key: Hashable {
        let provider: String
        let digest: [UInt8]
    }

    private struct Entry {
        let identity: AccessTokenIdentity
        let keysVersion: UInt64
        let validUntil: Int64
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let capacity: Int

    public init(capacity: Int = VerifiedTokenMemo.defaultCapacity) { self.capacity = max(1, capacity) }

    func identity(for token: String, provider: String, keysVersion: UInt64, now: Int64) -> AccessTokenIdentity? {
        let key = Key(provider: provider, digest: Digest.sha256(token))
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now < entry.validUntil, entry.keysVersion == keysVersion else {
                entries[key] = nil
                return nil
            }
            return entry.identity
        }
    }

    /// `maxSeconds`: how long the caller may keep the result (the introspection cache's maximum).
    func remember(_ identity: AccessTokenIdentity, for token: String, provider: String, keysVersion: UInt64, now: Int64, maxSeconds: Int64) {
        var validUntil = now + min(Self.windowSeconds, maxSeconds)
        if let expiresAt = identity.expiresAt { validUntil = min(validUntil, expiresAt) }
        guard validUntil > now else { return }
        let key = Key(provider: provider, digest: Digest.sha256(token))
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil {
                entries = entries.filter { now < $0.value.validUntil }
                // Still full of live entries: drop an eighth, whichever they are.
                if entries.count >= capacity {
                    for key in entries.keys.prefix(max(1, capacity / 8)) { entries[key] = nil }
                }
            }
            entries[key] = Entry(identity: identity, keysVersion: keysVersion, validUntil: validUntil)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
