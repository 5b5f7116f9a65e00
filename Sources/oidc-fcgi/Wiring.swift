import Configuration
import Foundation
import HTTPClient
import Logging
import RelyingParty
import SessionStore

/// Builds the running service from the configuration: the real adapters
/// (curl, memory or memcached) plugged into the core.
enum Wiring {
    struct Built: Sendable {
        let responder: Responder
        let readiness: ReadinessCheck
        /// The running parts a reload may keep (see `ReloadPlan`): the store as
        /// made (before any measuring wrapper), the HTTP client, the provider caches.
        let store: any KeyValueStore
        let http: CurlHTTPClient
        let providers: ProviderDirectory
        /// Where the core reports; kept by every reload (swift-metrics is bootstrapped once).
        let metrics: (any RelyingPartyMetrics)?
        var respond: @Sendable (Request) -> Response { { [responder] in responder.respond($0) } }
    }

    /// `longRunning`: a server serving many requests, which refreshes provider metadata in the
    /// background and loads it at start-up; false for a one-request CGI process.
    /// `metrics`: where the core reports; when given, store and provider calls are measured too.
    /// `reusing`: on a reload, the running service and what the plan says may be kept of it
    /// (its metrics are kept too).
    static func build(_ service: ServiceConfiguration, logger: Logger, longRunning: Bool = true,
                      metrics: (any RelyingPartyMetrics)? = nil,
                      reusing previous: (built: Built, plan: ReloadPlan)? = nil) throws -> Built {
        let metrics = previous?.built.metrics ?? metrics
        CurlHTTPClient.globalInit()
        let http = previous.flatMap { $0.plan.keepsHTTPClient ? $0.built.http : nil } ?? CurlHTTPClient(
            connectTimeoutMs: service.httpConnectTimeoutMs, timeoutMs: service.httpTimeoutMs, caFile: service.caFile,
            userAgent: "oidc-fcgi/\(OIDCFCGIVersion.current)")
        let madeStore = try previous.flatMap { $0.plan.keepsStore ? $0.built.store : nil } ?? makeStore(service, metrics: metrics)
        var store = madeStore
        // Waits on the provider never take every worker: the auth answer keeps capacity of its own.
        var provider: any HTTPTransport = BoundedHTTPTransport(wrapping: http, limit: service.httpMaxConcurrent)
        if let metrics {
            store = MeasuredKeyValueStore(wrapping: store, metrics: metrics)
            provider = MeasuredHTTPTransport(wrapping: provider, metrics: metrics)
        }
        let background: any BackgroundRunner = longRunning ? DispatchBackgroundRunner() : InlineRunner()
        let context = RelyingPartyContext(settings: service.settings, store: store, http: provider, background: background,
                                          registeredClients: RegisteredClientFiles(), logger: logger, metrics: metrics ?? NoMetrics())
        if let previous { context.providers.adoptCaches(of: previous.plan.providersKeepingCaches, from: previous.built.providers) }
        if longRunning { context.providers.prefetch(service.settings.providers) }
        return Built(responder: Responder(context: context), readiness: ReadinessCheck(context: context),
                     store: madeStore, http: http, providers: context.providers, metrics: metrics)
    }

    private static func makeStore(_ service: ServiceConfiguration, metrics: (any RelyingPartyMetrics)?) throws -> any KeyValueStore {
        switch service.store {
        case .memory(let capacity):
            return MemoryStore(capacity: capacity)
        case .memcached(let servers, let connectTimeoutMs, let timeoutMs, let keyPrefix, let poolSize, let retryIntervalMs, let replicas):
            return try MemcachedStore(
                servers: servers, connectTimeoutMs: connectTimeoutMs, ioTimeoutMs: timeoutMs,
                poolSize: poolSize > 0 ? poolSize : service.workers + 2, keyPrefix: keyPrefix, retryIntervalMs: retryIntervalMs,
                replicas: replicas, metrics: metrics)
        }
    }

    static func bootstrapLogging(level: ServiceConfiguration.LogLevel, format: ServiceConfiguration.LogFormat = .text) -> Logger {
        let threshold: Logger.Level = switch level {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = threshold
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = threshold
                return handler
            }
        }
        return Logger(label: "oidc-fcgi")
    }
}
