import CFastCGI
import Glibc
import Logging

/// Accepts the web server's connections for the workers. Accepting here
/// rather than inside libfcgi lets a worker see a shutdown while it waits and
/// drain what is already queued before the process exits.
///
/// The listening socket is non-blocking: under load a connection costs one
/// `accept4` (close-on-exec included); an idle worker waits in `poll`, waking
/// to look for a shutdown. Accepted connections get no socket timeouts: every
/// read and write on them runs under `IODeadlines`.
struct ConnectionAcceptor: Sendable {
    let listenFD: Int32
    let webServers: WebServerAddresses
    let logger: Logger

    /// How often a worker waiting for a connection wakes to look for a shutdown.
    static let wakeMilliseconds = 200

    init(listenFD: Int32, webServers: WebServerAddresses, logger: Logger) {
        self.listenFD = listenFD
        self.webServers = webServers
        self.logger = logger
        let flags = fcntl(listenFD, F_GETFL)
        if flags >= 0 { _ = fcntl(listenFD, F_SETFL, flags | O_NONBLOCK) }
    }

    /// The next connection, or nil once shutdown is requested and nothing
    /// is left queued on the listening socket.
    func next() -> Int32? {
        while true {
            if ShutdownSignal.requested.load(ordering: .relaxed), !hasQueuedConnection() { return nil }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { oidc_fcgi_accept_cloexec(listenFD, $0, &length) }
            }
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK:
                    awaitConnection()
                    continue
                case EINTR, ECONNABORTED, EPROTO:
                    continue  // a peer that gave up before we accepted
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.warning("cannot accept a FastCGI connection: \(String(cString: strerror(errno))); raise the open file limit (LimitNOFILE) or lower `workers`")
                    usleep(100_000)
                    continue
                default:
                    logger.error("accept on the listening socket failed: \(String(cString: strerror(errno)))")
                    return nil
                }
            }
            let peer = withUnsafePointer(to: &address) { WebServerAddresses.numericPeer($0) }
            if let peer {
                guard webServers.allows(peer: peer) else {
                    logger.warning("refused a FastCGI connection from \(peer): not in FCGI_WEB_SERVER_ADDRS")
                    close(fd)
                    continue
                }
                var on: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            return fd
        }
    }

    private func hasQueuedConnection() -> Bool {
        var poller = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0 && (poller.revents & Int16(POLLIN)) != 0
    }

    /// Until a connection is queued or the wake-up tick passes.
    private func awaitConnection() {
        var poller = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&poller, 1, Int32(Self.wakeMilliseconds))
    }
}
