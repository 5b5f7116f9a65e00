import RelyingParty
import Synchronization

/// A wall clock that moves only when a test says so.
final class FakeClock: WallClock {
    private let seconds: Mutex<Int64>

    init(now: Int64 = 1_700_000_000) { seconds = Mutex(now) }

    func now() -> Int64 { seconds.withLock { $0 } }

    func advance(by delta: Int64) { seconds.withLock { $0 += delta } }
}
