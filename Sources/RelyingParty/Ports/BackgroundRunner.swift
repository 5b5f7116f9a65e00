import Dispatch

/// Runs work that no request should wait for (provider metadata and key
/// refreshes). A protocol so tests can run the work when they choose.
public protocol BackgroundRunner: Sendable {
    func run(_ work: @escaping @Sendable () -> Void)
}

/// The server's runner: work goes to a Dispatch queue, off the worker threads.
public struct DispatchBackgroundRunner: BackgroundRunner {
    private let queue = DispatchQueue(label: "oidc-fcgi.background", qos: .utility, attributes: .concurrent)

    public init() {}

    public func run(_ work: @escaping @Sendable () -> Void) { queue.async(execute: work) }
}

/// Runs the work at once, on the caller's thread: for a process that serves one
/// request and exits (CGI mode), where nothing would outlive the request.
public struct InlineRunner: BackgroundRunner {
    public init() {}

    public func run(_ work: @escaping @Sendable () -> Void) { work() }
}
