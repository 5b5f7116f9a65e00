import FastCGIServer
import Metrics
import RelyingParty

/// The relying party's reports as swift-metrics counters, timers and meters.
/// Every metric with every label value is made once, here: a report is an
/// array lookup and an atomic add, with no label building on the request path.
final class SwiftMetricsRecorder: RelyingPartyMetrics, WorkerActivity {
    private let requests: [[Counter]]
    private let requestDurations: [Timer]
    private let loginsStarted = Counter(label: "oidc_fcgi_logins_started_total")
    private let loginsCompleted = Counter(label: "oidc_fcgi_logins_completed_total")
    private let loginsFailed: [LoginFailureReason: Counter]
    private let logouts: [LogoutKind: Counter]
    private let providerCalls: [ProviderEndpoint: [ProviderCallOutcome: Counter]]
    private let providerDurations: [ProviderEndpoint: Timer]
    private let keyRefetches = Counter(label: "oidc_fcgi_jwks_refetches_total")
    private let introspectionHits = Counter(label: "oidc_fcgi_introspection_cache_total", dimensions: [("result", "hit")])
    private let introspectionMisses = Counter(label: "oidc_fcgi_introspection_cache_total", dimensions: [("result", "miss")])
    private let storeOperations: [[Counter]]
    /// Per memcached server (configuration order), per `StoreServerOutcome`.
    private let storeServerCalls: [[Counter]]
    private let busyWorkers = Meter(label: "oidc_fcgi_workers_busy")

    /// `store`: the session store's label value (`memory`, or the configured memcached servers);
    /// `memcachedServers`: each server's own label value, as configured.
    init(store: String, memcachedServers: [String] = [], version: String) {
        requests = Responder.Action.allCases.map { action in
            RequestOutcome.allCases.map { outcome in
                Counter(label: "oidc_fcgi_requests_total", dimensions: [("action", action.rawValue), ("outcome", outcome.rawValue)])
            }
        }
        requestDurations = Responder.Action.allCases.map { Timer(label: "oidc_fcgi_request_duration_seconds", dimensions: [("action", $0.rawValue)]) }
        loginsFailed = Dictionary(uniqueKeysWithValues: LoginFailureReason.allCases.map {
            ($0, Counter(label: "oidc_fcgi_logins_failed_total", dimensions: [("reason", $0.rawValue)]))
        })
        logouts = Dictionary(uniqueKeysWithValues: LogoutKind.allCases.map {
            ($0, Counter(label: "oidc_fcgi_logouts_total", dimensions: [("kind", $0.rawValue)]))
        })
        providerCalls = Dictionary(uniqueKeysWithValues: ProviderEndpoint.allCases.map { endpoint in
            (endpoint, Dictionary(uniqueKeysWithValues: ProviderCallOutcome.allCases.map {
                ($0, Counter(label: "oidc_fcgi_provider_requests_total", dimensions: [("endpoint", endpoint.rawValue), ("outcome", $0.rawValue)]))
            }))
        })
        providerDurations = Dictionary(uniqueKeysWithValues: ProviderEndpoint.allCases.map {
            ($0, Timer(label: "oidc_fcgi_provider_request_duration_seconds", dimensions: [("endpoint", $0.rawValue)]))
        })
        storeOperations = StoreOperation.allCases.map { operation in
            ["ok", "error"].map { Counter(label: "oidc_fcgi_store_operations_total", dimensions: [("server", store), ("operation", operation.rawValue), ("outcome", $0)]) }
        }
        storeServerCalls = memcachedServers.map { server in
            StoreServerOutcome.allCases.map {
                Counter(label: "oidc_fcgi_store_server_calls_total", dimensions: [("server", server), ("outcome", $0.rawValue)])
            }
        }
        precondition(Responder.Action.allCases.enumerated().allSatisfy { $0.offset == $0.element.ordinal }
                     && RequestOutcome.allCases.enumerated().allSatisfy { $0.offset == $0.element.ordinal }
                     && StoreOperation.allCases.enumerated().allSatisfy { $0.offset == $0.element.ordinal }
                     && StoreServerOutcome.allCases.enumerated().allSatisfy { $0.offset == $0.element.ordinal },
                     "an ordinal table does not follow its enum")
        Gauge(label: "oidc_fcgi_build_info", dimensions: [("version", version)]).record(1)
        busyWorkers.set(0)
    }

    func requestAnswered(_ action: Responder.Action, outcome: RequestOutcome, nanoseconds: UInt64) {
        requests[action.ordinal][outcome.ordinal].increment()
        requestDurations[action.ordinal].recordNanoseconds(Int64(clamping: nanoseconds))
    }

    func loginStarted() { loginsStarted.increment() }
    func loginCompleted() { loginsCompleted.increment() }
    func loginFailed(_ reason: LoginFailureReason) { loginsFailed[reason]?.increment() }
    func loggedOut(_ kind: LogoutKind) { logouts[kind]?.increment() }

    func providerCalled(_ endpoint: ProviderEndpoint, outcome: ProviderCallOutcome, nanoseconds: UInt64) {
        providerCalls[endpoint]?[outcome]?.increment()
        providerDurations[endpoint]?.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    func signingKeysRefetched() { keyRefetches.increment() }

    func introspectionCacheLookup(hit: Bool) { (hit ? introspectionHits : introspectionMisses).increment() }

    func storeOperation(_ operation: StoreOperation, failed: Bool) {
        storeOperations[operation.ordinal][failed ? 1 : 0].increment()
    }

    func storeServerCalled(_ server: Int, outcome: StoreServerOutcome) {
        guard server < storeServerCalls.count else { return }
        storeServerCalls[server][outcome.ordinal].increment()
    }

    func workerBusy() { busyWorkers.increment() }
    func workerIdle() { busyWorkers.decrement() }
}

// Positions in `allCases`, by a switch (a jump table): the per-request lookups
// hash no string. The order must match each enum's declaration.
extension Responder.Action {
    var ordinal: Int {
        switch self {
        case .auth: 0
        case .login: 1
        case .callback: 2
        case .logout: 3
        case .backchannelLogout: 4
        case .frontchannelLogout: 5
        case .forbidden: 6
        case .loginLink: 7
        case .unavailable: 8
        }
    }
}

extension RequestOutcome {
    var ordinal: Int {
        switch self {
        case .allow: 0
        case .challenge: 1
        case .deny: 2
        case .unavailable: 3
        case .error: 4
        }
    }
}

extension StoreOperation {
    var ordinal: Int {
        switch self {
        case .get: 0
        case .set: 1
        case .add: 2
        case .delete: 3
        case .touch: 4
        }
    }
}

extension StoreServerOutcome {
    var ordinal: Int {
        switch self {
        case .answered: 0
        case .failed: 1
        case .skipped: 2
        }
    }
}
