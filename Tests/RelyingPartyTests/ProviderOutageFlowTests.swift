import Foundation
import Testing
import RelyingParty

/// What users see while the provider hangs: the auth answer for a valid session
/// is unaffected, and logins past the bound on waiting requests get a 503 at once.
@Suite struct ProviderOutageFlowTests {
    @Test func callbacksOverTheBoundGet503AtOnceAndValidSessionsStayAllowed() throws {
        var holding: HoldingTransport!
        let flow = FlowHarness(transport: { provider in
            holding = HoldingTransport(provider, holding: "/token")
            return BoundedHTTPTransport(wrapping: holding, limit: 1)
        })
        // A user who is logged in already.
        flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin())))
        let sessionJar = flow.jar
        #expect(flow.auth().status == 200)

        // The token endpoint hangs; one callback waits on it and takes the only place.
        holding.hold.close()
        let first = flow.request("callback", uri: flow.callbackURI(for: flow.startLogin()))
        let waiting = DispatchGroup()
        let responder = flow.responder
        DispatchQueue.global().async(group: waiting) { _ = responder.respond(first) }
        #expect(eventually { holding.hold.waitingCount == 1 })

        // The next callback is refused without waiting, with a page that says why.
        let second = flow.request("callback", uri: flow.callbackURI(for: flow.startLogin()))
        let started = Date()
        let refused = responder.respond(second)
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "5")
        #expect(String(decoding: refused.body, as: UTF8.self).contains("slow to answer"))

        // The auth answer never touches the provider.
        flow.jar = sessionJar
        for _ in 0..<20 { #expect(flow.auth().status == 200) }

        holding.hold.open()
        #expect(waiting.wait(timeout: .now() + 5) == .success)
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin()))).status == 302)
    }

    @Test func loginStartsWhileTheProviderIsDownGet503WithRetryAfterAtOnce() {
        let flow = FlowHarness()
        flow.provider.down = true
        let response = flow.send(flow.request("login", uri: "/reports"))
        #expect(response.status == 503)
        #expect(response.header("Retry-After") == "5")
        // Within the backoff the next login does not even try the provider.
        let again = flow.send(flow.request("login", uri: "/reports"))
        #expect(again.status == 503)
        #expect(String(decoding: again.body, as: UTF8.self).contains("cannot be reached"))
    }
}
