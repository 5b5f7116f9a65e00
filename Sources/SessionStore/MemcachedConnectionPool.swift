import CMemcached
import Glibc
import RelyingParty

/// The libmemcached handles behind a `MemcachedStore`: one configured master
/// `memcached_st` and a `memcached_pool_st` of clones. A `memcached_st` is not
/// thread-safe, so every operation checks one clone out, uses it on the calling
/// thread only and checks it back in; the pool itself is thread-safe.
final class MemcachedConnectionPool: @unchecked Sendable {
    // @unchecked: the raw handles are only touched through libmemcachedutil's
    // locked pool calls, and a checked-out clone is used by one thread at a time.
    private let master: UnsafeMutablePointer<memcached_st>
    private let pool: OpaquePointer
    private let checkoutWaitSeconds: Int
    private let router: MemcachedKeyRouter
    let size: Int

    struct Settings {
        var servers: [MemcachedServerAddress]
        var connectTimeoutMs: Int
        var ioTimeoutMs: Int
        var poolSize: Int
        /// Seconds a server that failed is skipped (calls fail at once) before it is tried again.
        var retrySeconds: Int = 1
    }

    init(_ settings: Settings) throws(StoreError) {
        guard !settings.servers.isEmpty else { throw .rejected("no memcached servers configured") }
        guard settings.poolSize > 0 else { throw .rejected("memcached pool size must be positive") }
        guard settings.connectTimeoutMs > 0, settings.ioTimeoutMs > 0 else {
            throw .rejected("memcached timeouts must be positive")
        }
        guard let master = memcached_create(nil) else {
            throw .unavailable("memcached: cannot allocate a client handle")
        }
        do throws(StoreError) {
            try Self.configure(master, settings)
        } catch {
            memcached_free(master)
            throw error
        }
        let router: MemcachedKeyRouter
        do throws(StoreError) {
            router = try MemcachedKeyRouter(cloning: master)
        } catch {
            memcached_free(master)
            throw error
        }
        guard let pool = memcached_pool_create(master, 1, UInt32(settings.poolSize)) else {
            memcached_free(master)
            throw .unavailable("memcached: cannot create a connection pool of \(settings.poolSize)")
        }
        self.master = master
        self.router = router
        self.pool = pool
        size = settings.poolSize
        // libmemcachedutil waits for a free clone until a deadline of whole
        // seconds (`time(NULL) + wait`), so the real wait is up to one second
        // shorter than asked: ask for one more than the I/O timeout.
        checkoutWaitSeconds = (settings.ioTimeoutMs + 999) / 1000 + 1
    }

    deinit {
        _ = memcached_pool_destroy(pool)
        memcached_free(master)
    }

    /// The position (in configuration order) of the server that holds `key`; no I/O.
    func serverIndex(for key: String) -> Int { router.serverIndex(for: key) }

    /// Runs `body` with a clone checked out of the pool. Fails with `.unavailable`
    /// when no clone frees up in time (more concurrent callers than `size`).
    func withConnection<T>(
        _ body: (UnsafeMutablePointer<memcached_st>) throws(StoreError) -> T
    ) throws(StoreError) -> T {
        var wait = timespec(tv_sec: checkoutWaitSeconds, tv_nsec: 0)
        var rc = MEMCACHED_SUCCESS
        guard let handle = memcached_pool_fetch(pool, &wait, &rc) else {
            if rc == MEMCACHED_TIMEOUT {
                throw .unavailable(
                    "memcached: no free connection within \(checkoutWaitSeconds) s (pool of \(size); raise the pool size to the number of worker threads)"
                )
            }
            if rc == MEMCACHED_SUCCESS {
                throw .unavailable("memcached: cannot create another client handle for the pool")
            }
            throw .unavailable("memcached: cannot check out a connection: \(MemcachedFailure.message(rc, handle: nil))")
        }
        defer { _ = memcached_pool_release(pool, handle) }
        return try body(handle)
    }

    private static func configure(_ handle: UnsafeMutablePointer<memcached_st>, _ settings: Settings) throws(StoreError) {
        func behavior(_ flag: memcached_behavior_t, _ value: Int, _ name: String) throws(StoreError) {
            let rc = memcached_behavior_set(handle, flag, UInt64(value))
            guard rc == MEMCACHED_SUCCESS else {
                throw .rejected("memcached option \(name)=\(value): \(MemcachedFailure.message(rc, handle: handle))")
            }
        }
        // The text protocol: its values are length-prefixed too (opaque bytes),
        // and libmemcached sends a text multi-get in one write, where the binary
        // one flushes the keys and then its NOOP: two wake-ups of the server per
        // session check. Keys never hold spaces or control characters (`StoreKeyRules`).
        try behavior(MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, 0, "text protocol")
        // Ketama (libketama-compatible, weighted) consistent hashing: adding or
        // losing a server moves only that server's share of the keys.
        try behavior(MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1, "ketama")
        try behavior(MEMCACHED_BEHAVIOR_TCP_NODELAY, 1, "tcp nodelay")
        try behavior(MEMCACHED_BEHAVIOR_TCP_KEEPALIVE, 1, "tcp keepalive")
        // Non-blocking sockets so the connect and poll timeouts bound every call.
        try behavior(MEMCACHED_BEHAVIOR_NO_BLOCK, 1, "no block")
        try behavior(MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, settings.connectTimeoutMs, "connect timeout (ms)")
        try behavior(MEMCACHED_BEHAVIOR_POLL_TIMEOUT, settings.ioTimeoutMs, "poll timeout (ms)")
        try behavior(MEMCACHED_BEHAVIOR_SND_TIMEOUT, settings.ioTimeoutMs * 1000, "send timeout (µs)")
        try behavior(MEMCACHED_BEHAVIOR_RCV_TIMEOUT, settings.ioTimeoutMs * 1000, "receive timeout (µs)")
        // A server that fails is put in timeout at once and skipped (calls fail
        // fast with "temporarily disabled") for `retrySeconds`, then tried again.
        // It is never ejected from the ring: its keys would then be read from
        // another server as "absent", and a session deleted there during the
        // outage would come back with the server. Failing closed is the point.
        try behavior(MEMCACHED_BEHAVIOR_SERVER_TIMEOUT_LIMIT, 1, "server timeout limit")
        try behavior(MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1, "server failure limit")
        try behavior(MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, settings.retrySeconds, "retry timeout (s)")
        try behavior(MEMCACHED_BEHAVIOR_REMOVE_FAILED_SERVERS, 0, "remove failed servers")

        for server in settings.servers {
            let rc: memcached_return_t
            switch server {
            case .tcp(let host, let port):
                rc = memcached_server_add(handle, host, in_port_t(port))
            case .unixSocket(let path):
                rc = memcached_server_add_unix_socket(handle, path)
            }
            guard rc == MEMCACHED_SUCCESS else {
                throw .rejected("memcached server \(server): \(MemcachedFailure.message(rc, handle: handle))")
            }
        }
    }
}
