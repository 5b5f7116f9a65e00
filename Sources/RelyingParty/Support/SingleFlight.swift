import Dispatch
import Synchronization

/// Runs one piece of work per key at a time in this process: the first caller for a
/// key does the work; callers arriving while it runs wait for its result (at most
/// `timeout`) and share it instead of repeating it. The work itself is not bounded
/// here: the HTTP transport's timeout bounds it.
public final class SingleFlight<Value: Sendable>: Sendable {
    public enum Outcome: Sendable {
        /// This caller did the work.
        case led(Value)
        /// Another caller did it; this one waited for it.
        case shared(Value)
        /// The other caller's work did not finish in time.
        case timedOut
    }

    private final class Flight: Sendable {
        let done = DispatchGroup()
        let result = Mutex<Value?>(nil)
        init() { done.enter() }
    }

    private let flights = Mutex<[String: Flight]>([:])

    public init() {}

    /// Calls in flight right now (for tests).
    public var inFlight: Int { flights.withLock { $0.count } }

    public func run(key: String, timeoutMilliseconds: Int, _ work: () -> Value) -> Outcome {
        let (flight, leads) = flights.withLock { all -> (Flight, Bool) in
            if let running = all[key] { return (running, false) }
            let started = Flight()
            all[key] = started
            return (started, true)
        }
        if leads {
            let value = work()
            flight.result.withLock { $0 = value }
            _ = flights.withLock { $0.removeValue(forKey: key) }
            flight.done.leave()
            return .led(value)
        }
        guard flight.done.wait(timeout: .now() + .milliseconds(max(1, timeoutMilliseconds))) == .success,
              let value = flight.result.withLock({ $0 })
        else { return .timedOut }
        return .shared(value)
    }
}
