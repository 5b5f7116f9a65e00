import Glibc
import Logging

/// Accepts the web server's connections for the workers. Accepting here
/// rather than inside libfcgi lets a worker see a shutdown while it waits,
/// drain what is already queued before the process exits, and give every
/// connection its read and write timeouts before libfcgi reads from it.
struct ConnectionAcceptor: Sendable {
    let listenFD: Int32
    let ioTimeoutMilliseconds: Int
    let webServers: WebServerAddresses
    let logger: Logger

    /// How often a worker blocked in accept wakes to look for a shutdown.
    static let wakeMilliseconds = 200

    init(listenFD: Int32, ioTimeoutMilliseconds: Int, webServers: WebServerAddresses, logger: Logger) {
        self.listenFD = listenFD
        self.ioTimeoutMilliseconds = ioTimeoutMilliseconds
        self.webServers = webServers
        self.logger = logger
        Self.setTimeouts(listenFD, receiveMilliseconds: Self.wakeMilliseconds, sendMilliseconds: nil)
    }

    /// The next connection, or nil once shutdown is requested and nothing
    /// is left queued on the listening socket.
    func next() -> Int32? {
        while true {
            if ShutdownSignal.requested.load(ordering: .relaxed), !hasQueuedConnection() { return nil }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFD, $0, &length) }
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
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
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
            Self.setTimeouts(fd, receiveMilliseconds: ioTimeoutMilliseconds, sendMilliseconds: ioTimeoutMilliseconds)
            return fd
        }
    }

    private func hasQueuedConnection() -> Bool {
        var poller = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0 && (poller.revents & Int16(POLLIN)) != 0
    }

    static func setTimeouts(_ fd: Int32, receiveMilliseconds: Int?, sendMilliseconds: Int?) {
        for (option, milliseconds) in [(SO_RCVTIMEO, receiveMilliseconds), (SO_SNDTIMEO, sendMilliseconds)] {
            guard let milliseconds else { continue }
            var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
            setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }
}
