import FastCGIServer
import Foundation
import Glibc
import Logging
import OperationsEndpoint
import Testing

/// The listener over a real socket: what a scraper, a probe or a bad client gets.
@Suite struct OperationsServerTests {
    /// A server on a free port (bound to port 0, then read back).
    private static func started(readTimeoutMilliseconds: Int = 300) throws -> Int {
        let port = try freePort()
        let routes = OperationsRoutes(["/healthz": { OperationsAnswer(status: 200, text: "ok\n") }])
        let server = try OperationsServer(listen: .tcp(host: "127.0.0.1", port: port), routes: routes,
                                          readTimeoutMilliseconds: readTimeoutMilliseconds, logger: Logger(label: "test"))
        server.start(threads: 1)
        return port
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Sends `bytes`, optionally leaves the connection open, and reads the answer to its end (at most 5 s).
    private static func exchange(port: Int, _ bytes: [UInt8], closeWrite: Bool = true) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return "" }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        if closeWrite { shutdown(fd, Int32(SHUT_WR)) }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
            guard read > 0 else { break }
            answer += chunk[0..<read]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test func aProbeGetsItsAnswer() throws {
        let port = try Self.started()
        let answer = Self.exchange(port: port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.hasSuffix("\r\n\r\nok\n"))
    }

    @Test func unknownPathsAndMethodsAndMalformedLines() throws {
        let port = try Self.started()
        #expect(Self.exchange(port: port, Array("GET /nope HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 404 "))
        #expect(Self.exchange(port: port, Array("POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 405 "))
        #expect(Self.exchange(port: port, Array("hello there\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 400 "))
    }

    @Test func anOversizedHeadIsRefused() throws {
        let port = try Self.started()
        let header = "X-Filler: " + String(repeating: "a", count: 200) + "\r\n"
        let request = "GET /healthz HTTP/1.1\r\n" + String(repeating: header, count: OperationsServer.maxHeadBytes / 200 + 1) + "\r\n"
        #expect(Self.exchange(port: port, Array(request.utf8)).hasPrefix("HTTP/1.1 431 "))
    }

    @Test func aHeadThatNeverEndsTimesOutAndTheNextClientIsServed() throws {
        let port = try Self.started(readTimeoutMilliseconds: 200)
        #expect(Self.exchange(port: port, Array("GET /healthz HTTP/1.1\r\n".utf8), closeWrite: false).hasPrefix("HTTP/1.1 408 "))
        #expect(Self.exchange(port: port, Array("GET /healthz HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 200 "))
    }
}
