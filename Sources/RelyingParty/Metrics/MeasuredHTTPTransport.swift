/// Reports every call to the provider: which endpoint, how it ended, how long it took.
public struct MeasuredHTTPTransport: HTTPTransport {
    private let inner: any HTTPTransport
    private let metrics: any RelyingPartyMetrics

    public init(wrapping inner: any HTTPTransport, metrics: any RelyingPartyMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    public func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        let started = ContinuousClock.now
        do {
            let response = try inner.perform(request)
            metrics.providerCalled(request.endpoint, outcome: (200..<300).contains(response.status) ? .ok : .httpError,
                                   nanoseconds: started.nanosecondsElapsed)
            return response
        } catch {
            if case .overloaded = error {
                metrics.providerCalled(request.endpoint, outcome: .overloaded, nanoseconds: started.nanosecondsElapsed)
            } else {
                metrics.providerCalled(request.endpoint, outcome: .failed, nanoseconds: started.nanosecondsElapsed)
            }
            throw error
        }
    }
}

extension ContinuousClock.Instant {
    /// The time since this instant, in whole nanoseconds (for a duration metric).
    var nanosecondsElapsed: UInt64 {
        let elapsed = duration(to: .now).components
        guard elapsed.seconds >= 0 else { return 0 }
        return UInt64(elapsed.seconds) * 1_000_000_000 + UInt64(elapsed.attoseconds / 1_000_000_000)
    }
}
