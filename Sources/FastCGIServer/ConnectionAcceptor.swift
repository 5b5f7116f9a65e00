import CFastCGI
import Glibc
import Logging
import Synchronization

/// Accepts the web server's connections for the workers. Accepting here
/// rather than inside libfcgi lets a worker see a shutdown while it waits and
/// drain what is already queued before the process exits.
///
/// Idle workers block in `accept4` (close-on-exec included), which the kernel
/// hands each connection to one of them; a receive timeout on the listening
/// socket wakes them to look for a shutdown. Accepted connections need no
/// socket timeouts of their own (every read and write on them runs under
/// `IODeadlines`), but a TCP connection inherits the listener's wake-up
/// timeout, which is cleared; a unix one does not on Linux, checked once.
final class ConnectionAcceptor: Sendable {
    let listenFD: Int32
    let webServers: WebServerAddresses
    let logger: Logger
    private let unixTimeoutInherited = Atomic<Int8>(-1)  // unknown until the first unix connection

    /// How often a worker waiting for a connection wakes to look for a shutdown.
    static let wakeMilliseconds = 200

    init(listenFD: Int32, webServers: WebServerAddresses, logger: Logger) {
        self.listenFD = listenFD
        self.webServers = webServers
        self.logger = logger
        let flags = fcntl(listenFD, F_GETFL)
        if flags >= 0, flags & O_NONBLOCK != 0 { _ = fcntl(listenFD, F_SETFL, flags & ~O_NONBLOCK) }
        Self.setReceiveTimeout(listenFD, milliseconds: Self.wakeMilliseconds)
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
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
                    continue  // the wake-up tick, or a peer that gave up before we accepted
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
                Self.setReceiveTimeout(fd, milliseconds: 0)
            } else if inheritsListenerTimeout(fd) {
                Self.setReceiveTimeout(fd, milliseconds: 0)
            }
            return fd
        }
    }

    private func hasQueuedConnection() -> Bool {
        var poller = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0 && (poller.revents & Int16(POLLIN)) != 0
    }

    /// Whether unix connections come with the listener's receive timeout;
    /// asked of the first one only.
    private func inheritsListenerTimeout(_ fd: Int32) -> Bool {
        let known = unixTimeoutInherited.load(ordering: .relaxed)
        if known >= 0 { return known == 1 }
        var value = timeval()
        var length = socklen_t(MemoryLayout<timeval>.size)
        let inherited = getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, &length) != 0 || value.tv_sec != 0 || value.tv_usec != 0
        unixTimeoutInherited.store(inherited ? 1 : 0, ordering: .relaxed)
        return inherited
    }

    /// 0: none (reads block until the data or `IODeadlines`).
    static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) {
        var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }
}
