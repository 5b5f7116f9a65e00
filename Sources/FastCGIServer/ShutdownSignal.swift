import Glibc
import Synchronization

/// SIGTERM/SIGINT: the handler only marks the shutdown. Workers notice it
/// within `ConnectionAcceptor.wakeMilliseconds`, serve what is already
/// queued on the listening socket, and stop; the main thread removes the
/// unix socket path at once so that new connections are refused.
public enum ShutdownSignal {
    static let requested = Atomic<Bool>(false)

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            // Only async-signal-safe work here.
            ShutdownSignal.requested.store(true, ordering: .relaxed)
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Keeps SIGTERM/SIGINT away from the calling (worker) thread, so they are
    /// handled on the main thread: a signal handled on a worker would interrupt
    /// its read or write (EINTR) and cut off the request it is serving.
    public static func blockInCurrentThread() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        sigaddset(&blocked, SIGINT)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
    }
}
