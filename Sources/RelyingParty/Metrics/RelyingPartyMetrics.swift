/// What the relying party reports about its work, for an operator's metrics.
/// Every label is one of the small enums of `MetricLabels.swift`: never a user,
/// token, path or URL. Implementations keep each call cheap (pre-created
/// counters indexed by these enums), as `requestAnswered` runs on every request.
public protocol RelyingPartyMetrics: Sendable {
    func requestAnswered(_ action: Responder.Action, outcome: RequestOutcome, nanoseconds: UInt64)
    func loginStarted()
    func loginCompleted()
    func loginFailed(_ reason: LoginFailureReason)
    func loggedOut(_ kind: LogoutKind)
    func providerCalled(_ endpoint: ProviderEndpoint, outcome: ProviderCallOutcome, nanoseconds: UInt64)
    func signingKeysRefetched()
    func introspectionCacheLookup(hit: Bool)
    func storeOperation(_ operation: StoreOperation, failed: Bool)
    /// One call to memcached server `server` (its position in `session.memcached.servers`).
    func storeServerCalled(_ server: Int, outcome: StoreServerOutcome)
}

extension RelyingPartyMetrics {
    public func storeServerCalled(_ server: Int, outcome: StoreServerOutcome) {}
}

/// No metrics configured: every report is dropped.
public struct NoMetrics: RelyingPartyMetrics {
    public init() {}
    public func requestAnswered(_ action: Responder.Action, outcome: RequestOutcome, nanoseconds: UInt64) {}
    public func loginStarted() {}
    public func loginCompleted() {}
    public func loginFailed(_ reason: LoginFailureReason) {}
    public func loggedOut(_ kind: LogoutKind) {}
    public func providerCalled(_ endpoint: ProviderEndpoint, outcome: ProviderCallOutcome, nanoseconds: UInt64) {}
    public func signingKeysRefetched() {}
    public func introspectionCacheLookup(hit: Bool) {}
    public func storeOperation(_ operation: StoreOperation, failed: Bool) {}
}
