import Foundation
import Glibc
import HTTPClient
import RelyingParty
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct CurlHTTPClientTests {
    static func client(timeoutMs: Int = 5000, maxResponseBytes: Int = 1 << 20) -> CurlHTTPClient {
        CurlHTTPClient.globalInit()
        return CurlHTTPClient(
            connectTimeoutMs: 1000, timeoutMs: timeoutMs, caFile: nil, maxResponseBytes: maxResponseBytes,
            userAgent: "oidc-fcgi-tests/1")
    }

    @Test func getReturnsStatusBodyAndLowerCasedHeaders() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let response = try Self.client().perform(OutboundRequest(method: .get, url: server.baseURL + "/hello"))
        #expect(response.status == 200)
        #expect(response.body == Array("hello, world".utf8))
        #expect(response.headers["x-test"] == "Yes")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.headers["x-multi"] == "a, b")
        #expect(response.headers["X-Test"] == nil)
    }

    @Test func postSendsTheBodyAndHeadersAsGiven() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let body = Array("grant_type=authorization_code&code=abc%2F123".utf8) + [0, 255, 10]
        let request = OutboundRequest(
            method: .post, url: server.baseURL + "/echo",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "Authorization", value: "Basic Y2xpZW50OnNlY3JldA=="),
                (name: "Accept", value: "application/json"),
            ],
            body: body)
        let response = try Self.client().perform(request)
        #expect(response.status == 200)
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(echo["method"] as? String == "POST")
        #expect(echo["body"] as? String == body.map { String(format: "%02x", $0) }.joined())
        let headers = try #require(echo["headers"] as? [String: String])
        #expect(headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(headers["authorization"] == "Basic Y2xpZW50OnNlY3JldA==")
        #expect(headers["accept"] == "application/json")
        #expect(headers["user-agent"] == "oidc-fcgi-tests/1")
        #expect(headers["content-length"] == String(body.count))
        #expect(headers["expect"] == nil)
    }

    @Test func largePostBodyAndEmptyPostBody() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = Self.client()
        let large = [UInt8](repeating: UInt8(ascii: "z"), count: 200_000)
        let big = try client.perform(OutboundRequest(method: .post, url: server.baseURL + "/echo", body: large))
        let bigEcho = try #require(try JSONSerialization.jsonObject(with: Data(big.body)) as? [String: Any])
        #expect((bigEcho["body"] as? String)?.count == large.count * 2)
        let empty = try client.perform(OutboundRequest(method: .post, url: server.baseURL + "/echo"))
        let emptyEcho = try #require(try JSONSerialization.jsonObject(with: Data(empty.body)) as? [String: Any])
        #expect(emptyEcho["body"] as? String == "")
    }

    @Test func sequentialRequestsReuseTheConnection() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = Self.client()
        let request = OutboundRequest(method: .get, url: server.baseURL + "/client-port")
        let first = try client.perform(request)
        let second = try client.perform(request)
        let third = try client.perform(request)
        #expect(first.status == 200 && !first.body.isEmpty)
        #expect(second.body == first.body, "a second request opened a new connection")
        #expect(third.body == first.body)
    }

    @Test func notFoundIsAResponseNotAnError() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let response = try Self.client().perform(OutboundRequest(method: .get, url: server.baseURL + "/missing"))
        #expect(response.status == 404)
        #expect(response.body == Array("not here".utf8))
    }

    @Test func redirectsAreNotFollowed() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let response = try Self.client().perform(OutboundRequest(method: .get, url: server.baseURL + "/redirect"))
        #expect(response.status == 302)
        #expect(response.headers["location"] == "/hello")
    }

    @Test func closedPortIsUnreachable() throws {
        let port = try FreeTCPPort.pick()
        let url = "http://127.0.0.1:\(port)/"
        #expect {
            _ = try Self.client().perform(OutboundRequest(method: .get, url: url))
        } throws: { error in
            guard case .unreachable(let failedURL, let reason)? = error as? HTTPTransportError else { return false }
            return failedURL == url && !reason.isEmpty
        }
    }

    @Test func unresolvableHostIsUnreachable() {
        #expect {
            _ = try Self.client().perform(OutboundRequest(method: .get, url: "http://no-such-host.invalid/"))
        } throws: { error in
            if case .unreachable? = error as? HTTPTransportError { return true }
            return false
        }
    }

    @Test func slowServerTimesOutWithinTheTimeout() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let started = Date()
        #expect(throws: HTTPTransportError.timedOut(url: server.baseURL + "/slow?ms=5000")) {
            _ = try Self.client(timeoutMs: 500).perform(OutboundRequest(method: .get, url: server.baseURL + "/slow?ms=5000"))
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 2, "timed out after \(elapsed) s with a 0.5 s timeout")
        // A request within the timeout still succeeds on the same client.
        let response = try Self.client(timeoutMs: 2000).perform(
            OutboundRequest(method: .get, url: server.baseURL + "/slow?ms=50"))
        #expect(response.status == 200)
    }

    @Test func oversizeBodyIsRefused() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = Self.client(maxResponseBytes: 100_000)
        // Announced with Content-Length.
        #expect(throws: HTTPTransportError.responseTooLarge(url: server.baseURL + "/bytes?n=100001", limit: 100_000)) {
            _ = try client.perform(OutboundRequest(method: .get, url: server.baseURL + "/bytes?n=100001"))
        }
        // Streamed without a length: cut off while reading.
        #expect(throws: HTTPTransportError.responseTooLarge(url: server.baseURL + "/stream?n=500000", limit: 100_000)) {
            _ = try client.perform(OutboundRequest(method: .get, url: server.baseURL + "/stream?n=500000"))
        }
        // Exactly the limit is fine, and the client still works after a refusal.
        let exact = try client.perform(OutboundRequest(method: .get, url: server.baseURL + "/bytes?n=100000"))
        #expect(exact.body.count == 100_000)
        let streamed = try client.perform(OutboundRequest(method: .get, url: server.baseURL + "/stream?n=100000"))
        #expect(streamed.body.count == 100_000)
    }

    @Test func onlyHTTPAndHTTPSURLsAreAllowed() {
        let client = Self.client()
        for url in ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "not a url", ""] {
            #expect(throws: HTTPTransportError.invalidURL(url), "\(url)") {
                _ = try client.perform(OutboundRequest(method: .get, url: url))
            }
        }
    }

    @Test func headerInjectionIsRefused() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let request = OutboundRequest(
            method: .get, url: server.baseURL + "/hello", headers: [(name: "X-Evil", value: "a\r\nHost: other")])
        #expect(throws: HTTPTransportError.self) { _ = try Self.client().perform(request) }
    }

    @Test func tlsFailureIsReported() throws {
        // A plain-HTTP server spoken to over https fails the TLS handshake.
        let server = try TestHTTPServer()
        defer { server.stop() }
        #expect {
            _ = try Self.client().perform(OutboundRequest(method: .get, url: "https://127.0.0.1:\(server.port)/hello"))
        } throws: { error in
            if case .tls? = error as? HTTPTransportError { return true }
            return false
        }
    }

    @Test func concurrentRequestsFromSeveralThreads() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = Self.client()
        let failures = Mutex<[String]>([])
        let completed = Mutex(0)
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                for round in 0..<20 {
                    do {
                        let body = Array("worker \(worker) round \(round)".utf8)
                        let response = try client.perform(
                            OutboundRequest(method: .post, url: server.baseURL + "/echo", body: body))
                        let echo = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
                        if response.status != 200 || echo?["body"] as? String != body.map({ String(format: "%02x", $0) }).joined() {
                            failures.withLock { $0.append("worker \(worker) round \(round): wrong answer") }
                        }
                        let hello = try client.perform(OutboundRequest(method: .get, url: server.baseURL + "/hello"))
                        if hello.body != Array("hello, world".utf8) {
                            failures.withLock { $0.append("worker \(worker) round \(round): wrong hello") }
                        }
                        completed.withLock { $0 += 1 }
                    } catch {
                        failures.withLock { $0.append("worker \(worker) round \(round): \(error)") }
                    }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 40) == .success, "requests did not finish within 40 s")
        #expect(failures.withLock { $0 } == [])
        #expect(completed.withLock { $0 } == 160)
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (the kernel's pick for port 0, released).
enum FreeTCPPort {
    struct Failure: Error {}

    static func pick() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure() }
        return UInt16(bigEndian: address.sin_port)
    }
}
