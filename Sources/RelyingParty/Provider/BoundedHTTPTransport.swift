import Synchronization

/// Lets at most `limit` requests wait on the identity provider at once. Each call
/// blocks a worker thread until the provider answers or times out, so without a
/// bound a slow provider would take every worker and starve requests that never
/// need it (the auth answer for a valid session). A call over the limit is not
/// queued: it fails at once with `.overloaded`, which handlers answer with 503.
public final class BoundedHTTPTransport: HTTPTransport {
    public let limit: Int
    private let inner: any HTTPTransport
    private let waiting = Atomic<Int>(0)

    public init(wrapping inner: any HTTPTransport, limit: Int) {
        self.inner = inner
        self.limit = max(1, limit)
    }

    /// Requests waiting on the provider right now.
    public var inFlight: Int { waiting.load(ordering: .relaxed) }

    public func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        let (_, now) = waiting.wrappingAdd(1, ordering: .acquiringAndReleasing)
        defer { waiting.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        guard now <= limit else { throw .overloaded(url: request.url, limit: limit) }
        return try inner.perform(request)
    }
}
