import CFastCGI
import Glibc
import Synchronization

/// SIGTERM/SIGINT handling for a threaded libfcgi server: libfcgi does not stop
/// by itself, so the handler marks shutdown, tells libfcgi, and shuts the
/// listening socket down so that every blocked FCGX_Accept_r returns.
enum ShutdownSignal {
    static let requested = Atomic<Bool>(false)
    static let listenSocket = Atomic<Int32>(-1)

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            // Only async-signal-safe work here.
            ShutdownSignal.requested.store(true, ordering: .relaxed)
            FCGX_ShutdownPending()
            let fd = ShutdownSignal.listenSocket.load(ordering: .relaxed)
            if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: blocked accepts must return
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Keeps SIGTERM/SIGINT away from the calling (worker) thread, so they are
    /// handled on the main thread: a signal handled on a worker would interrupt
    /// its read or write (EINTR) and cut off the request it is serving.
    static func blockInCurrentThread() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        sigaddset(&blocked, SIGINT)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
    }
}
