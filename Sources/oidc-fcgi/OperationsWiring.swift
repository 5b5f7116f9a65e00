import Configuration
import Foundation
import Logging
import Metrics
import OperationsEndpoint
import Prometheus
import RelyingParty

/// The metrics and health endpoints of `metrics.listen`: swift-metrics
/// bootstrapped once with the Prometheus backend, and the listener answering
/// `/metrics`, `/healthz` and `/readyz`.
enum OperationsWiring {
    /// Bootstraps swift-metrics with a Prometheus registry; call once per process.
    static func bootstrapMetrics(_ service: ServiceConfiguration) -> (SwiftMetricsRecorder, PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Auth answers take microseconds to milliseconds; provider calls up to `http.timeout`.
        factory.durationHistogramBuckets["oidc_fcgi_request_duration_seconds"] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        let (store, servers): (String, [String]) = switch service.store {
        case .memory: ("memory", [])
        case .memcached(let servers, _, _, _, _, _, _): (servers.joined(separator: ","), servers)
        }
        return (SwiftMetricsRecorder(store: store, memcachedServers: servers, version: OIDCFCGIVersion.current), registry)
    }

    static func start(_ service: ServiceConfiguration, registry: PrometheusCollectorRegistry, readiness: @escaping @Sendable () -> [String],
                      logger: Logger) throws {
        guard let listen = service.metricsListen else { return }
        let routes = OperationsRoutes([
            "/metrics": {
                OperationsAnswer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
            },
            "/healthz": { OperationsAnswer(status: 200, text: "ok\n") },
            "/readyz": {
                let failures = readiness()
                guard !failures.isEmpty else { return OperationsAnswer(status: 200, text: "ready\n") }
                return OperationsAnswer(status: 503, text: failures.map { "not ready: \($0)\n" }.joined())
            },
        ])
        let server = try OperationsServer(listen: listen, routes: routes, logger: logger)
        server.start()
        logger.info("metrics and health endpoints listening", metadata: ["listen": "\(listen)"])
    }
}
