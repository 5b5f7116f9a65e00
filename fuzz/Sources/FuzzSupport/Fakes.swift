import RelyingParty

/// A transport that answers every request with the same status and body.
public struct FixedResponseTransport: HTTPTransport {
    public let status: Int
    public let body: [UInt8]

    public init(status: Int = 200, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    public func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        InboundResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }
}

/// Deterministic "random" bytes, so a crash reproduces from its input alone.
public struct CountingRandom: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } }
}

public struct FixedClock: WallClock {
    public let seconds: Int64
    public init(_ seconds: Int64) { self.seconds = seconds }
    public func now() -> Int64 { seconds }
}

/// A secret of the length the configuration requires, the same on every run.
public let fuzzSecret: [UInt8] = Array("fuzz-secret-0123456789abcdefghijklmnopqrstuvwxyz".utf8)
