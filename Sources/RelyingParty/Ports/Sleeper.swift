import Foundation

/// Blocks the calling worker for a short while. A protocol so tests of code that
/// waits (for another request's refresh) run without real pauses.
public protocol Sleeper: Sendable {
    func sleep(milliseconds: Int)
}

public struct ThreadSleeper: Sleeper {
    public init() {}
    public func sleep(milliseconds: Int) { Thread.sleep(forTimeInterval: Double(max(0, milliseconds)) / 1000) }
}
