import Glibc
import Synchronization

/// Bounds the time a worker spends reading one request from the web server,
/// however slowly the bytes trickle in (a per-read socket timeout alone lets a
/// client that sends a byte every few seconds hold a worker forever), and
/// writing its answer to a web server that does not read.
///
/// Each worker registers the connection it reads from or writes to with a deadline;
/// the server's main thread calls `expire` a few times a second and shuts
/// down the sockets whose deadline passed, which ends the blocked read. The
/// worker owns the registered descriptor and closes it only after
/// unregistering, under the same lock, so `expire` never touches a
/// descriptor number that was closed and reused.
final class IODeadlines: Sendable {
    private struct Slot { var fd: Int32 = -1; var deadline: UInt64 = 0 }
    private final class LockedSlot: Sendable {
        let slot = Mutex(Slot())
        func withLock<T>(_ body: (inout Slot) -> T) -> T { slot.withLock { body(&$0) } }
    }
    private let slots: [LockedSlot]

    init(workers: Int) {
        slots = (0..<workers).map { _ in LockedSlot() }
    }

    /// The worker `index` now reads from or writes to `fd` and must be done within `milliseconds`.
    func arm(_ index: Int, fd: Int32, milliseconds: Int) {
        let deadline = Self.nowMilliseconds() + UInt64(milliseconds)
        slots[index].withLock { $0 = Slot(fd: fd, deadline: deadline) }
    }

    /// The worker `index` is done with the read or write (it serves, or waits for work).
    func disarm(_ index: Int) {
        slots[index].withLock { $0 = Slot() }
    }

    /// Disarms, then closes `fd` while no `expire` can look at it.
    func disarmAndClose(_ index: Int, fd: Int32) {
        slots[index].withLock { slot in
            slot = Slot()
            _ = Glibc.close(fd)
        }
    }

    /// Shuts down every connection whose reader or writer is past its deadline; returns how many.
    @discardableResult
    func expire() -> Int {
        let now = Self.nowMilliseconds()
        var expired = 0
        for slot in slots {
            slot.withLock { slot in
                guard slot.fd >= 0, now >= slot.deadline else { return }
                _ = Glibc.shutdown(slot.fd, Int32(SHUT_RDWR))
                slot = Slot()
                expired += 1
            }
        }
        return expired
    }

    static func nowMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
