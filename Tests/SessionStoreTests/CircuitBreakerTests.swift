import Synchronization
import Testing

@testable import SessionStore

/// The per-server breaker's states, with time passed in by the test.
struct CircuitBreakerTests {
    @Test func closedLetsEveryCallThroughAndStaysClosedWhileTheServerAnswers() {
        var breaker = CircuitBreaker(retryIntervalMs: 2000)
        for now in stride(from: Int64(0), to: 10_000, by: 1000) {
            #expect(breaker.admit(nowMs: now) == .proceed)
            breaker.record(.reachable, nowMs: now)
        }
        #expect(!breaker.isKnownDown(nowMs: 10_000))
    }

    @Test func aFailureFailsCallsAtOnceForTheRetryIntervalThenLetsOneProbeThrough() {
        var breaker = CircuitBreaker(retryIntervalMs: 2000)
        #expect(breaker.admit(nowMs: 1000) == .proceed)
        breaker.record(.unreachable, nowMs: 1500)
        #expect(breaker.isKnownDown(nowMs: 1500))
        #expect(breaker.admit(nowMs: 1500) == .failFast(retryInMs: 2000))
        #expect(breaker.admit(nowMs: 3499) == .failFast(retryInMs: 1))
        // The interval is over: exactly one probe; the others still fail at once.
        #expect(breaker.admit(nowMs: 3500) == .probe)
        #expect(breaker.isKnownDown(nowMs: 3600))
        #expect(breaker.admit(nowMs: 3600) == .failFast(retryInMs: 1900))
        #expect(breaker.admit(nowMs: 3700) == .failFast(retryInMs: 1800))
    }

    @Test func aProbeThatReachesTheServerClosesTheBreaker() {
        var breaker = CircuitBreaker(retryIntervalMs: 2000)
        breaker.record(.unreachable, nowMs: 0)
        #expect(breaker.admit(nowMs: 2000) == .probe)
        breaker.record(.reachable, nowMs: 2100)
        #expect(!breaker.isKnownDown(nowMs: 2100))
        #expect(breaker.admit(nowMs: 2100) == .proceed)
        #expect(breaker.admit(nowMs: 2101) == .proceed)
    }

    @Test func aFailedProbeOpensTheBreakerForAnotherInterval() {
        var breaker = CircuitBreaker(retryIntervalMs: 2000)
        breaker.record(.unreachable, nowMs: 0)
        #expect(breaker.admit(nowMs: 2000) == .probe)
        breaker.record(.unreachable, nowMs: 2500)
        #expect(breaker.admit(nowMs: 4499) == .failFast(retryInMs: 1))
        #expect(breaker.admit(nowMs: 4500) == .probe)
    }

    @Test func aProbeThatNeverReportsIsReplacedAfterAnInterval() {
        var breaker = CircuitBreaker(retryIntervalMs: 2000)
        breaker.record(.unreachable, nowMs: 0)
        #expect(breaker.admit(nowMs: 2000) == .probe)
        #expect(breaker.admit(nowMs: 3999) == .failFast(retryInMs: 1))
        #expect(breaker.admit(nowMs: 4000) == .probe)
    }

    @Test func aProbeThatGotNoConnectionLetsTheNextCallProbe() {
        var breaker = CircuitBreaker(retryIntervalMs: 2000)
        breaker.record(.unreachable, nowMs: 0)
        #expect(breaker.admit(nowMs: 2000) == .probe)
        breaker.record(.notTried, nowMs: 2001)
        #expect(breaker.admit(nowMs: 2002) == .probe)
        // Outside a probe, a call that never reached the server changes nothing.
        var closed = CircuitBreaker(retryIntervalMs: 2000)
        closed.record(.notTried, nowMs: 10)
        #expect(closed.admit(nowMs: 11) == .proceed)
    }

    @Test func knownDownEndsWithTheIntervalEvenWithoutCalls() {
        // So a login start (which makes no store call) is not refused forever.
        var breaker = CircuitBreaker(retryIntervalMs: 2000)
        breaker.record(.unreachable, nowMs: 0)
        #expect(breaker.isKnownDown(nowMs: 1999))
        #expect(!breaker.isKnownDown(nowMs: 2000))
    }

    @Test func serverBreakersKeepEachServerApartAndReportDownOnlyWhenAllAre() throws {
        let clock = SteppedClock()
        let breakers = ServerBreakers(servers: ["a:1", "b:2"], retryIntervalMs: 1000, clock: clock)
        breakers.record(server: 1, .unreachable)
        #expect(throws: Never.self) { try breakers.admit(server: 0) }
        #expect(!breakers.allKnownDown)
        do {
            try breakers.admit(server: 1)
            Issue.record("a server that just failed was called")
        } catch {
            #expect("\(error)".contains("b:2"), "\(error)")
            #expect("\(error)".contains("unavailable"), "\(error)")
        }
        breakers.record(server: 0, .unreachable)
        #expect(breakers.allKnownDown)
        clock.advance(by: 1000)
        #expect(!breakers.allKnownDown)
    }
}

/// A monotonic clock that moves only when the test says so.
final class SteppedClock: MonotonicClock {
    private let now = Atomic<Int64>(1_000_000)
    func milliseconds() -> Int64 { now.load(ordering: .relaxed) }
    func advance(by milliseconds: Int64) { now.add(milliseconds, ordering: .relaxed) }
}
