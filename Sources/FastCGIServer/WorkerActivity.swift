/// Told when a worker starts and finishes answering a request, for a
/// busy-workers gauge. Called on the worker's own thread; keep it cheap.
public protocol WorkerActivity: Sendable {
    func workerBusy()
    func workerIdle()
}

/// No one is told.
public struct UnobservedWorkers: WorkerActivity {
    public init() {}
    public func workerBusy() {}
    public func workerIdle() {}
}
