import Configuration
import FastCGIServer
import Testing

/// `metrics.listen`: the metrics and health endpoints, off unless configured.
@Suite struct MetricsConfigurationTests {
    private func yaml(_ metrics: String) -> String {
        """
        listen: tcp:127.0.0.1:9000
        public_url: https://app.example.com
        session:
          secrets: ["0123456789abcdef0123456789abcdef-first"]
        providers:
          - issuer: https://idp.example.com
            client_id: app
            client_secret: s3cret
        \(metrics)
        """
    }

    @Test func offByDefault() throws {
        #expect(try ConfigurationLoader.parse(yaml: yaml("")).metricsListen == nil)
    }

    @Test func aTCPAddressIsKept() throws {
        let service = try ConfigurationLoader.parse(yaml: yaml("metrics:\n  listen: tcp:127.0.0.1:9464"))
        #expect(service.metricsListen == .tcp(host: "127.0.0.1", port: 9464))
    }

    @Test func anIPv6AddressIsKept() throws {
        let service = try ConfigurationLoader.parse(yaml: yaml("metrics:\n  listen: \"tcp:[::1]:9464\""))
        #expect(service.metricsListen == .tcp(host: "::1", port: 9464))
    }

    @Test(arguments: ["unix:/run/metrics.sock", "inherited", "127.0.0.1:9464", "tcp:127.0.0.1", "tcp:127.0.0.1:70000", "tcp::9464", "http://127.0.0.1:9464/metrics"])
    func aValueThatIsNotATCPAddressIsRefusedByName(_ value: String) {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml("metrics:\n  listen: \"\(value)\""))
            Issue.record("accepted metrics.listen \(value)")
        } catch {
            #expect(error.problems.map(\.path) == ["metrics.listen"])
            #expect(error.problems.first?.message.contains("must be tcp:HOST:PORT") == true)
        }
    }

    @Test func theFastCGIAddressIsRefused() {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml("metrics:\n  listen: tcp:127.0.0.1:9000"))
            Issue.record("accepted the FastCGI address for the metrics")
        } catch {
            #expect(error.problems.map(\.path) == ["metrics.listen"])
            #expect(error.problems.first?.message.contains("port of their own") == true)
        }
    }

    @Test func aMissingListenAndUnknownKeysAreRefused() {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml("metrics:\n  port: 9464"))
            Issue.record("accepted metrics without listen")
        } catch {
            #expect(Set(error.problems.map(\.path)) == ["metrics.listen", "metrics.port"])
        }
    }
}
