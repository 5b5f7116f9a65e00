import FastCGIServer
import Foundation
import Glibc
import Logging

/// The metrics and health listener: a small HTTP/1.1 responder on threads of
/// its own, apart from the FastCGI workers, so a scrape or a probe never
/// takes a worker and a busy site never delays a probe. Each connection gets
/// one answer and is closed; a request head must arrive whole within
/// `readTimeoutMilliseconds` and `maxHeadBytes`, or the client gets 408/431.
public final class OperationsServer: Sendable {
    public static let maxHeadBytes = 8 * 1024

    private let listenFD: Int32
    private let routes: OperationsRoutes
    private let readTimeoutMilliseconds: Int
    private let logger: Logger

    /// Opens the listening socket now, so a taken port fails the start.
    public init(listen: ListenAddress, routes: OperationsRoutes, readTimeoutMilliseconds: Int = 2000, logger: Logger) throws(FastCGIServer.StartError) {
        guard case .tcp(let host, let port) = listen else { throw .cannotListen("metrics.listen must be a TCP address") }
        switch TCPListener.open(host: host, port: port, backlog: 64) {
        case .success(let fd): listenFD = fd
        case .failure(let error):
            throw .cannotListen("cannot listen on \(listen) (metrics.listen): \(error.reason); check the address and that the port is free")
        }
        self.routes = routes
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
        self.logger = logger
    }

    /// Starts `threads` threads that accept and answer connections until the process ends.
    public func start(threads: Int = 2) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in
                ShutdownSignal.blockInCurrentThread()
                self.acceptLoop()
            }
            thread.name = "oidc-fcgi-metrics-\(index)"
            thread.start()
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EAGAIN { continue }
                logger.error("metrics listener: accept failed: \(String(cString: strerror(errno)))")
                usleep(100_000)  // out of descriptors, say: do not spin
                continue
            }
            serve(fd)
            close(fd)
        }
    }

    private func serve(_ fd: Int32) {
        // A client that does not read cannot hold the thread past the timeout.
        var sendTimeout = timeval(tv_sec: readTimeoutMilliseconds / 1000, tv_usec: (readTimeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        let (answer, headOnly) = readAnswer(fd)
        let bytes = answer.encoded(headOnly: headOnly)
        writeAll(fd, bytes)
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads the request head under the deadline and routes it.
    private func readAnswer(_ fd: Int32) -> (OperationsAnswer, Bool) {
        let deadline = Self.nowMilliseconds() + UInt64(readTimeoutMilliseconds)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while true {
            let head = OperationsRequestHead(parsing: received)
            switch head {
            case .complete(let method, _): return (routes.answer(to: head), method == "HEAD")
            case .malformed: return (.badRequest, false)
            case .incomplete: break
            }
            if received.count >= Self.maxHeadBytes { return (.tooLarge, false) }
            let now = Self.nowMilliseconds()
            guard now < deadline else { return (.timedOut, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(deadline - now))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return (.timedOut, false) }
            let wanted = min(chunk.count, Self.maxHeadBytes - received.count)
            let read = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, wanted, 0) }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { return (.badRequest, false) }  // closed before a whole head
            received += chunk[0..<read]
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        let deadline = Self.nowMilliseconds() + UInt64(readTimeoutMilliseconds)
        while sent < bytes.count, Self.nowMilliseconds() < deadline {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            sent += written
        }
    }

    private static func nowMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
