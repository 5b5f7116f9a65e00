import Glibc
import Synchronization

/// SIGHUP: the handler only writes one byte to a pipe (async-signal-safe);
/// a reload thread blocked in `waitForRequest` reads it and does the work.
/// Several signals before the thread wakes count as one reload.
public enum ReloadSignal {
    /// The pipe's write end for the handler; -1 until `install`.
    private static let writeEnd = Atomic<Int32>(-1)
    private static let readEnd = Atomic<Int32>(-1)

    /// Installs the SIGHUP handler. Returns false when the pipe cannot be made;
    /// SIGHUP is then ignored rather than left to end the process.
    @discardableResult
    public static func install() -> Bool {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            signal(SIGHUP, SIG_IGN)
            return false
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // A full pipe means a reload is pending anyway: the handler must never block.
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        readEnd.store(ends[0], ordering: .releasing)
        writeEnd.store(ends[1], ordering: .releasing)
        let handler: @convention(c) (Int32) -> Void = { _ in
            // Only async-signal-safe work here; errno is the interrupted code's.
            let saved = errno
            var byte: UInt8 = 1
            _ = write(ReloadSignal.writeEnd.load(ordering: .acquiring), &byte, 1)
            errno = saved
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGHUP, &action, nil)
        return true
    }

    /// For a process that never reloads (CGI mode: one request per process).
    public static func ignore() {
        signal(SIGHUP, SIG_IGN)
    }

    /// Blocks until SIGHUP arrives; drains every byte already written so that a
    /// burst of signals is one reload. False when the pipe is gone (never installed).
    public static func waitForRequest() -> Bool {
        let fd = readEnd.load(ordering: .acquiring)
        guard fd >= 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let read = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if read > 0 { break }
            if read < 0 && errno == EINTR { continue }
            return false
        }
        var pending = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&pending, 1, 0) > 0, pending.revents & Int16(POLLIN) != 0 {
            let read = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if read <= 0 { break }
        }
        return true
    }

    /// Keeps SIGHUP away from the calling (worker) thread, as `ShutdownSignal` does for SIGTERM.
    static func blockInCurrentThread() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
    }
}
