import CMemcached
import RelyingParty
import Synchronization

/// Which configured server a key lives on, by libmemcached's own ketama
/// hashing (`memcached_server_by_key`), without any network call. It uses a
/// clone of its own, under a lock, since hashing writes to the handle.
final class MemcachedKeyRouter: @unchecked Sendable {
    // @unchecked: the clone is touched only while `lock` is held.
    private let handle: UnsafeMutablePointer<memcached_st>?
    private let servers: [OpaquePointer?]
    private let lock = Mutex(())

    /// - Parameter master: a configured handle with every server added.
    init(cloning master: UnsafeMutablePointer<memcached_st>) throws(StoreError) {
        let count = Int(memcached_server_count(master))
        guard count > 1 else {
            // One server: every key maps to it, no hashing needed.
            handle = nil
            servers = []
            return
        }
        guard let clone = memcached_clone(nil, master) else {
            throw .unavailable("memcached: cannot allocate a client handle")
        }
        handle = clone
        servers = (0..<count).map { memcached_server_instance_by_position(clone, UInt32($0)) }
    }

    deinit {
        if let handle { memcached_free(handle) }
    }

    /// The position (in configuration order) of the server holding `key`.
    func serverIndex(for key: String) -> Int {
        guard let handle else { return 0 }
        return lock.withLock { _ in
            var rc = MEMCACHED_SUCCESS
            let server = key.withCString { memcached_server_by_key(handle, $0, key.utf8.count, &rc) }
            // A key the store already validated always maps to a server.
            return servers.firstIndex { $0 == server } ?? 0
        }
    }
}
