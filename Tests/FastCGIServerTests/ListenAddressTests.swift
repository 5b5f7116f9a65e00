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

    @Test func libfcgiFormDropsIPv6Brackets() {
        #expect(ListenAddress("tcp:[::1]:9000")?.libfcgiPath == "::1:9000")
        #expect(ListenAddress("unix:/tmp/a.sock")?.libfcgiPath == "/tmp/a.sock")
        #expect(ListenAddress.inherited.libfcgiPath == nil)
    }
}
