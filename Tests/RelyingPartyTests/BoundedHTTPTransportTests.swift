import Foundation
import Testing
import RelyingParty
import Synchronization

/// The bound on requests waiting on the provider at once.
@Suite struct BoundedHTTPTransportTests {
    @Test func callsOverTheLimitFailAtOnceWhileTheOthersWait() throws {
        let provider = ScriptedProvider()
        let gate = BoundedHTTPTransport(wrapping: provider, limit: 2)
        provider.hold.close()
        let group = DispatchGroup()
        let answered = Atomic<Int>(0)
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                if (try? gate.perform(OutboundRequest(method: .get, url: provider.discoveryURL)))?.status == 200 {
                    answered.wrappingAdd(1, ordering: .relaxed)
                }
            }
        }
        #expect(eventually { provider.hold.waitingCount == 2 })
        #expect(gate.inFlight == 2)
        let started = Date()
        #expect(throws: HTTPTransportError.overloaded(url: provider.jwksURL, limit: 2)) {
            try gate.perform(OutboundRequest(method: .get, url: provider.jwksURL))
        }
        #expect(Date().timeIntervalSince(started) < 1, "refused without waiting")
        #expect(provider.jwksCount == 0, "the refused call never reached the provider")

        provider.hold.open()
        #expect(group.wait(timeout: .now() + 5) == .success)
        #expect(answered.load(ordering: .relaxed) == 2)
        #expect(gate.inFlight == 0)
        // Capacity is back once the waiting calls are answered.
        #expect(try gate.perform(OutboundRequest(method: .get, url: provider.jwksURL)).status == 200)
    }

    @Test func failedCallsGiveTheirPlaceBack() {
        let provider = ScriptedProvider()
        provider.failing = true
        let gate = BoundedHTTPTransport(wrapping: provider, limit: 1)
        for _ in 0..<3 {
            #expect(throws: HTTPTransportError.unreachable(url: provider.jwksURL, reason: "connection refused")) {
                try gate.perform(OutboundRequest(method: .get, url: provider.jwksURL))
            }
        }
        #expect(gate.inFlight == 0)
    }
}
