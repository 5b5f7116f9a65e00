import FastCGIServer
import RelyingParty

/// The whole configuration: how the process runs (listen, workers, stores,
/// timeouts, logging) and the relying-party `Settings` the core uses.
public struct ServiceConfiguration: Sendable {
    public enum LogLevel: String, Sendable, CaseIterable { case debug, info, warning, error }
    /// `text`: one readable line per event; `json`: one JSON object per line, for log collectors.
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    public enum StoreConfiguration: Sendable, Equatable {
        case memory(capacity: Int)
        case memcached(servers: [String], connectTimeoutMs: Int, timeoutMs: Int, keyPrefix: String, poolSize: Int, retryIntervalMs: Int = 2000, replicas: Int = 0)
    }

    public var listen: ListenAddress
    public var socketMode: UInt16
    public var workers: Int
    public var logLevel: LogLevel
    public var logFormat: LogFormat = .text
    public var httpConnectTimeoutMs: Int
    public var httpTimeoutMs: Int
    public var caFile: String?
    /// Requests that may wait on the identity provider at once (below `workers`).
    public var httpMaxConcurrent: Int
    /// The longest the web server may take to send one request (and the
    /// longest a kept-alive FastCGI connection may sit idle).
    public var fastcgiReadTimeoutMs: Int = 5000
    /// How long SIGTERM waits for queued and in-flight requests.
    public var shutdownGraceSeconds: Int = 10
    /// Where the metrics and health endpoints listen (`metrics.listen`); nil: not served.
    public var metricsListen: ListenAddress?
    public var store: StoreConfiguration
    public var settings: Settings
}
