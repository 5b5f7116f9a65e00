import Foundation
import Glibc
import Synchronization

/// A TCP server that is not memcached: it answers whatever it receives with an
/// HTTP 400 and hangs up, like a web server (or an intercepting proxy) at an
/// address configured as memcached. Runs on its own thread until stopped.
final class ImpostorServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    struct Failure: Error {}

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard ready else {
            close(fd)
            throw Failure()
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in serve() }.start()
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Stops accepting and waits (at most 2 s) for the thread to end.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = finished.wait(timeout: .now() + 2)
        close(listener)
    }

    private func serve() {
        defer { finished.signal() }
        while !stopping.load(ordering: .acquiring) {
            var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var reading = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            if poll(&reading, 1, 1000) > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(connection, &buffer, buffer.count)
            }
            let reply = Array("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n".utf8)
            _ = write(connection, reply, reply.count)
            close(connection)
        }
    }
}
