import Testing
import Configuration

/// `http.max_concurrent`: how many requests may wait on the provider at once,
/// always leaving a worker for the auth answer.
@Suite struct ProviderCallLimitTests {
    private func yaml(workers: Int, http: String = "") -> String {
        """
        listen: tcp:127.0.0.1:9000
        workers: \(workers)
        public_url: https://app.example.com
        session:
          secrets: ["0123456789abcdef0123456789abcdef-first"]
        providers:
          - issuer: https://idp.example.com
            client_id: app
            client_secret: s3cret
        \(http)
        """
    }

    @Test func defaultLeavesOneWorkerFree() throws {
        #expect(try ConfigurationLoader.parse(yaml: yaml(workers: 4)).httpMaxConcurrent == 3)
        #expect(try ConfigurationLoader.parse(yaml: yaml(workers: 1)).httpMaxConcurrent == 1)
    }

    @Test func aLowerLimitIsKept() throws {
        #expect(try ConfigurationLoader.parse(yaml: yaml(workers: 8, http: "http:\n  max_concurrent: 2")).httpMaxConcurrent == 2)
    }

    @Test(arguments: [4, 5])
    func aLimitThatCouldTakeEveryWorkerIsRejected(_ limit: Int) {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml(workers: 4, http: "http:\n  max_concurrent: \(limit)"))
            Issue.record("accepted max_concurrent \(limit) with 4 workers")
        } catch {
            #expect(error.problems.map(\.path) == ["http.max_concurrent"])
            #expect(error.problems.first?.message.contains("at most workers - 1 (3)") == true)
        }
    }
}
