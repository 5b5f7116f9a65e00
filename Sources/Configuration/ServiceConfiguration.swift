import FastCGIServer
import RelyingParty

/// The whole configuration: how the process runs (listen, workers, stores,
/// timeouts, logging) and the relying-party `Settings` the core uses.
public struct ServiceConfiguration: Sendable {
    public enum LogLevel: String, Sendable, CaseIterable { case debug, info, warning, error }

    public enum StoreConfiguration: Sendable, Equatable {
        case memory(capacity: Int)
        case memcached(servers: [String], connectTimeoutMs: Int, timeoutMs: Int, keyPrefix: String, poolSize: Int, retryIntervalMs: Int = 2000)
    }

    public var listen: ListenAddress
    public var socketMode: UInt16
    public var workers: Int
    public var logLevel: LogLevel
    public var httpConnectTimeoutMs: Int
    public var httpTimeoutMs: Int
    public var caFile: String?
    /// Requests that may wait on the identity provider at once (below `workers`).
    public var httpMaxConcurrent: Int
    public var store: StoreConfiguration
    public var settings: Settings
}
