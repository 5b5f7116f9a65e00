import RelyingParty
import Synchronization
import Testing

/// Every report, in order, as text: what an operator's counters would add up.
final class RecordingMetrics: RelyingPartyMetrics {
    private let reports = Mutex<[String]>([])
    var all: [String] { reports.withLock { $0 } }
    private func add(_ report: String) { reports.withLock { $0.append(report) } }

    func requestAnswered(_ action: Responder.Action, outcome: RequestOutcome, nanoseconds: UInt64) { add("request \(action.rawValue) \(outcome.rawValue)") }
    func loginStarted() { add("login started") }
    func loginCompleted() { add("login completed") }
    func loginFailed(_ reason: LoginFailureReason) { add("login failed \(reason.rawValue)") }
    func loggedOut(_ kind: LogoutKind) { add("logout \(kind.rawValue)") }
    func providerCalled(_ endpoint: ProviderEndpoint, outcome: ProviderCallOutcome, nanoseconds: UInt64) { add("provider \(endpoint.rawValue) \(outcome.rawValue)") }
    func signingKeysRefetched() { add("keys refetched") }
    func introspectionCacheLookup(hit: Bool) { add("introspection cache \(hit ? "hit" : "miss")") }
    func storeOperation(_ operation: StoreOperation, failed: Bool) { add("store \(operation.rawValue) \(failed ? "error" : "ok")") }
}

@Suite struct MetricsReportTests {
    @Test func aLoginAndItsRequestsAreReported() {
        let metrics = RecordingMetrics()
        let flow = FlowHarness(metrics: metrics)
        #expect(flow.auth().status == 401)
        let authorization = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
        #expect(flow.auth().status == 200)
        #expect(flow.send(flow.request("logout", uri: "/oidc/logout")).status == 302)
        #expect(metrics.all == [
            "request auth challenge",
            "login started", "request login challenge",
            "login completed", "request callback challenge",
            "request auth allow",
            "logout rp-initiated", "request logout challenge",
        ])
    }

    @Test func aReplayedLoginResponseIsAFailedLogin() {
        let metrics = RecordingMetrics()
        let flow = FlowHarness(metrics: metrics)
        let callback = flow.callbackURI(for: flow.startLogin())
        let jar = flow.jar
        flow.send(flow.request("callback", uri: callback))
        flow.jar = jar
        #expect(flow.send(flow.request("callback", uri: callback)).status == 400)
        #expect(metrics.all.suffix(2) == ["login failed rejected", "request callback deny"])
    }

    @Test func providerCallsAreReportedByEndpointAndOutcome() throws {
        let metrics = RecordingMetrics()
        let measured = MeasuredHTTPTransport(wrapping: RefusingTransport(), metrics: metrics)
        #expect(throws: HTTPTransportError.self) { try measured.perform(OutboundRequest(method: .post, url: "https://idp.example/token", endpoint: .token)) }
        #expect(metrics.all == ["provider token failed"])
    }

    @Test(arguments: [(200, RequestOutcome.allow), (204, .allow), (302, .challenge), (401, .challenge), (403, .deny), (400, .deny),
                      (503, .unavailable), (500, .error), (502, .error)])
    func theOutcomeFollowsTheStatus(_ status: Int, _ outcome: RequestOutcome) {
        #expect(RequestOutcome(status: status) == outcome)
    }
}

private struct RefusingTransport: HTTPTransport {
    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        throw .unreachable(url: request.url, reason: "connection refused")
    }
}
