import Foundation

/// Seconds since the Unix epoch. A protocol so tests can fix "now".
public protocol WallClock: Sendable {
    func now() -> Int64
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
