import Glibc

/// Milliseconds on a clock that never jumps (wall-clock changes do not open
/// or close a circuit breaker). A protocol so tests can drive time.
protocol MonotonicClock: Sendable {
    func milliseconds() -> Int64
}

struct SystemMonotonicClock: MonotonicClock {
    func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
