import Foundation
import Glibc

/// Starts test servers with no signals blocked. `Process` spawns the child with
/// the calling thread's signal mask, and the test runner's threads block most
/// signals, so a server started from one would ignore SIGTERM.
enum ChildProcess {
    static func run(_ process: Process) throws {
        var everything = sigset_t()
        var saved = sigset_t()
        sigemptyset(&everything)
        pthread_sigmask(SIG_SETMASK, &everything, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try process.run()
    }
}
