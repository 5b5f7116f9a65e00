import RelyingParty
import Synchronization

/// One `CircuitBreaker` per memcached server, shared by every pooled
/// connection and worker thread. libmemcached's own failure marking lives in
/// each pooled clone separately, so against a hung server every clone paid
/// the I/O timeout on its own, over and over; this is the one shared view.
final class ServerBreakers: Sendable {
    private let breakers: Mutex<[CircuitBreaker]>
    private let names: [String]
    private let clock: any MonotonicClock

    init(servers: [String], retryIntervalMs: Int64, clock: any MonotonicClock = SystemMonotonicClock()) {
        names = servers
        breakers = Mutex(Array(repeating: CircuitBreaker(retryIntervalMs: retryIntervalMs), count: servers.count))
        self.clock = clock
    }

    /// Fails at once with `.unavailable` while server `index` is being
    /// skipped after a failure; otherwise the caller goes ahead and then
    /// reports the outcome with `record`.
    func admit(server index: Int) throws(StoreError) {
        let verdict = breakers.withLock { $0[index].admit(nowMs: clock.milliseconds()) }
        if case .failFast(let retryInMs) = verdict {
            throw .unavailable(
                "memcached server \(names[index]) failed moments ago and is skipped for another \(retryInMs) ms; check that it is running and answering"
            )
        }
    }

    func record(server index: Int, _ outcome: CircuitBreaker.Outcome) {
        let now = clock.milliseconds()
        breakers.withLock { $0[index].record(outcome, nowMs: now) }
    }

    /// True while every server is known to be down (no I/O): any call would fail now.
    var allKnownDown: Bool {
        let now = clock.milliseconds()
        return breakers.withLock { breakers in breakers.allSatisfy { $0.isKnownDown(nowMs: now) } }
    }
}
