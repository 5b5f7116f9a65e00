/// What one memcached server's recent answers say about calling it now: a
/// small state machine with time passed in, so it is tested without waiting.
///
/// A server that timed out or refused a connection is skipped for
/// `retryIntervalMs`: calls for its keys fail at once instead of each waiting
/// for the I/O timeout (a hung server would otherwise hold every worker).
/// Then one call is let through as a probe; its outcome closes the breaker
/// or opens it for another interval. Keys are never sent elsewhere meanwhile.
struct CircuitBreaker: Sendable, Equatable {
    enum Verdict: Equatable {
        /// Call the server.
        case proceed
        /// Call the server: this call decides whether it is back.
        case probe
        /// Do not call; the server failed moments ago. Next probe in `retryInMs`.
        case failFast(retryInMs: Int64)
    }

    enum State: Equatable {
        case closed
        case open(until: Int64)
        case probing(since: Int64)
    }

    let retryIntervalMs: Int64
    private(set) var state: State = .closed

    init(retryIntervalMs: Int64) {
        precondition(retryIntervalMs > 0, "the retry interval must be positive")
        self.retryIntervalMs = retryIntervalMs
    }

    /// Whether a call may go to the server at `nowMs` (a monotonic clock in ms).
    mutating func admit(nowMs: Int64) -> Verdict {
        switch state {
        case .closed:
            return .proceed
        case .open(let until):
            if nowMs < until { return .failFast(retryInMs: until - nowMs) }
            state = .probing(since: nowMs)
            return .probe
        case .probing(let since):
            // A probe is bounded by the store's timeouts; one that has not
            // reported within an interval is taken as lost, so another may go.
            if nowMs - since < retryIntervalMs { return .failFast(retryInMs: since + retryIntervalMs - nowMs) }
            state = .probing(since: nowMs)
            return .probe
        }
    }

    enum Outcome: Equatable {
        /// The server answered (even with "not found" or a rejection).
        case reachable
        /// The server could not be reached or did not answer in time.
        case unreachable
        /// The call never got to the server (no free pooled connection).
        case notTried
    }

    /// The outcome of a call that was let through.
    mutating func record(_ outcome: Outcome, nowMs: Int64) {
        switch outcome {
        case .reachable: state = .closed
        case .unreachable: state = .open(until: nowMs + retryIntervalMs)
        case .notTried:
            // A probe that did not reach the server proved nothing: the next call probes.
            if case .probing = state { state = .open(until: nowMs) }
        }
    }

    /// True while calls would fail at once or wait on a probe, judged without any I/O.
    func isKnownDown(nowMs: Int64) -> Bool {
        switch state {
        case .closed: return false
        case .open(let until): return nowMs < until
        case .probing: return true
        }
    }
}
