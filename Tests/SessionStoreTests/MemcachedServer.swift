import Foundation
import Glibc

/// A real memcached started for one test on a port (or unix socket) chosen at
/// run time, and stopped by PID. Every wait is bounded.
final class MemcachedServer: @unchecked Sendable {
    // @unchecked: used from the one test that owns it.
    enum Endpoint {
        case tcp(port: UInt16)
        case unixSocket(path: String)
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    static let executable = "/usr/bin/memcached"

    let endpoint: Endpoint
    private var process: Process?

    /// "127.0.0.1:port" or the socket path, as `MemcachedStore` expects it.
    var address: String {
        switch endpoint {
        case .tcp(let port): return "127.0.0.1:\(port)"
        case .unixSocket(let path): return path
        }
    }

    var pid: Int32? { process?.processIdentifier }

    /// Starts memcached on a free TCP port, trying a few ports in case another
    /// process takes the chosen one first.
    static func start() throws -> MemcachedServer {
        var lastError: Error?
        for _ in 0..<5 {
            let server = MemcachedServer(endpoint: .tcp(port: try FreePort.pick()))
            do {
                try server.start()
                return server
            } catch {
                lastError = error
            }
        }
        throw lastError ?? StartFailure(description: "memcached did not start")
    }

    static func startOnUnixSocket() throws -> MemcachedServer {
        let path = NSTemporaryDirectory() + "oidc-fcgi-memcached-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let server = MemcachedServer(endpoint: .unixSocket(path: path))
        try server.start()
        return server
    }

    init(endpoint: Endpoint) { self.endpoint = endpoint }

    deinit { stop() }

    /// Starts (or restarts) the server on its endpoint and waits until it accepts connections.
    func start() throws {
        precondition(process == nil, "memcached already running")
        var arguments = ["-U", "0", "-m", "16", "-t", "1", "-c", "256"]
        switch endpoint {
        case .tcp(let port): arguments += ["-l", "127.0.0.1", "-p", String(port)]
        case .unixSocket(let path):
            unlink(path)
            arguments += ["-s", path, "-a", "0700"]
        }
        if geteuid() == 0 { arguments += ["-u", "root"] }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: Self.executable)
        child.arguments = arguments
        child.standardInput = FileHandle.nullDevice
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try ChildProcess.run(child)
        process = child
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if !child.isRunning {
                process = nil
                throw StartFailure(description: "memcached exited at start (status \(child.terminationStatus)) on \(address)")
            }
            if acceptsConnections() { return }
            usleep(10_000)
        }
        stop()
        throw StartFailure(description: "memcached did not accept connections on \(address) within 5 s")
    }

    /// Stops the server by PID: SIGTERM, then SIGKILL after 3 s. Idempotent.
    func stop() {
        guard let child = process else { return }
        process = nil
        if child.isRunning { kill(child.processIdentifier, SIGCONT) }
        if child.isRunning { kill(child.processIdentifier, SIGTERM) }
        if !waitForExit(child, seconds: 3) {
            kill(child.processIdentifier, SIGKILL)
            _ = waitForExit(child, seconds: 3)
        }
        if case .unixSocket(let path) = endpoint { unlink(path) }
    }

    /// Freezes the server (SIGSTOP): connections are accepted by the kernel but
    /// never answered. Returns once the kernel reports it stopped (at most 2 s).
    func pause() {
        guard let child = process else { return }
        kill(child.processIdentifier, SIGSTOP)
        waitUntil(stopped: true, pid: child.processIdentifier)
    }

    func resume() {
        guard let child = process else { return }
        kill(child.processIdentifier, SIGCONT)
        waitUntil(stopped: false, pid: child.processIdentifier)
    }

    /// Signals are delivered asynchronously; /proc/<pid>/stat shows state "T" once stopped.
    private func waitUntil(stopped: Bool, pid: Int32) {
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return }
            let state = stat[stat.index(after: close)...].dropFirst().first
            if (state == "T") == stopped { return }
            usleep(1_000)
        }
    }

    private func waitForExit(_ child: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while child.isRunning && Date() < deadline { usleep(10_000) }
        return !child.isRunning
    }

    private func acceptsConnections() -> Bool {
        switch endpoint {
        case .tcp(let port):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        case .unixSocket(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
                }
            }
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
enum FreePort {
    struct Failure: Error {}

    static func pick() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure() }
        return UInt16(bigEndian: address.sin_port)
    }
}
