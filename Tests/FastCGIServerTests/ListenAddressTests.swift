import Glibc
import Testing
@testable import FastCGIServer

@Suite struct ListenAddressTests {
    @Test func parsesTheThreeForms() {
        #expect(ListenAddress("tcp:127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(ListenAddress("tcp:[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(ListenAddress("unix:/run/oidc-fcgi/oidc-fcgi.sock") == .unix(path: "/run/oidc-fcgi/oidc-fcgi.sock"))
        #expect(ListenAddress("inherited") == .inherited)
    }

    @Test(arguments: ["", "9000", "tcp:127.0.0.1", "tcp::9000", "tcp:127.0.0.1:0", "tcp:127.0.0.1:70000",
                      "tcp:host:port", "unix:relative.sock", "unix:", "udp:127.0.0.1:9000",
                      "unix:/" + String(repeating: "a", count: 120)])
    func rejectsMalformed(text: String) {
        #expect(ListenAddress(text) == nil)
    }

    @Test func onlyUnixSocketsAreOpenedByLibfcgi() {
        // libfcgi would take "::1:9000" for a unix socket path.
        #expect(ListenAddress("tcp:[::1]:9000")?.libfcgiPath == nil)
        #expect(ListenAddress("tcp:127.0.0.1:9000")?.libfcgiPath == nil)
        #expect(ListenAddress("unix:/tmp/a.sock")?.libfcgiPath == "/tmp/a.sock")
        #expect(ListenAddress.inherited.libfcgiPath == nil)
    }

    @Test func describesIPv6HostsInBrackets() {
        #expect(ListenAddress("tcp:[::1]:9000")?.description == "tcp:[::1]:9000")
        #expect(ListenAddress("tcp:127.0.0.1:9000")?.description == "tcp:127.0.0.1:9000")
    }

    @Test func opensIPv4AndIPv6ListenersOnTheGivenAddress() throws {
        for host in ["127.0.0.1", "::1"] {
            guard case .success(let fd) = TCPListener.open(host: host, port: 0, backlog: 4) else {
                Issue.record("cannot listen on \(host)"); continue
            }
            defer { close(fd) }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            #expect(Int32(address.ss_family) == (host.contains(":") ? AF_INET6 : AF_INET))
        }
    }
}
