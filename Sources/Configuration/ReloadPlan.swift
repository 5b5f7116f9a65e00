import RelyingParty

/// What a reload (SIGHUP) does with a newly read configuration: which settings
/// only a restart can change (kept at their running values), which running
/// parts survive (the session store, the HTTP client, each provider's cached
/// metadata and keys), and a short summary of what changed — names only, never
/// a value, so secrets never reach the log.
public struct ReloadPlan: Sendable {
    /// The configuration to run from now on: the new one with every restart-only setting kept.
    public let applied: ServiceConfiguration
    /// One line per restart-only setting that differs: "`workers` needs a restart; kept the old value".
    public let needsRestart: [String]
    /// The store settings are equal: the running store (memory contents, memcached pool) is kept.
    public let keepsStore: Bool
    /// Timeouts and CA file are equal: the running HTTP client (its kept-alive connections) is kept.
    public let keepsHTTPClient: Bool
    /// Providers whose cached metadata and keys stay valid (same name, issuer, static metadata and CA file).
    public let providersKeepingCaches: Set<String>
    /// What changed, by setting name.
    public let changes: [String]

    public init(running old: ServiceConfiguration, read new: ServiceConfiguration) {
        var applied = new
        var needsRestart: [String] = []
        func keep<Value: Equatable>(_ key: String, _ path: WritableKeyPath<ServiceConfiguration, Value>) {
            guard old[keyPath: path] != new[keyPath: path] else { return }
            applied[keyPath: path] = old[keyPath: path]
            needsRestart.append("`\(key)` needs a restart; kept the old value")
        }
        keep("listen", \.listen)
        keep("socket_mode", \.socketMode)
        keep("workers", \.workers)
        keep("fastcgi.read_timeout", \.fastcgiReadTimeoutMs)
        keep("fastcgi.shutdown_grace", \.shutdownGraceSeconds)
        keep("log_level", \.logLevel)
        keep("log_format", \.logFormat)
        keep("metrics.listen", \.metricsListen)
        // Validated against the new `workers`; the running ones must still leave a worker for auth answers.
        applied.httpMaxConcurrent = min(applied.httpMaxConcurrent, max(1, applied.workers - 1))
        self.applied = applied
        self.needsRestart = needsRestart
        keepsStore = Self.storeSurvives(old.store, new.store)
        keepsHTTPClient = Self.httpClientSurvives(old, new)
        let caFileSame = old.caFile == new.caFile
        providersKeepingCaches = Set(new.settings.providers.filter { provider in
            guard caFileSame, let before = old.settings.provider(named: provider.name), before.name == provider.name else { return false }
            return Self.metadataCacheSurvives(before, provider)
        }.map(\.name))
        changes = Self.changes(from: old, to: applied)
    }

    /// The same store settings mean the same store: sessions in memory and the memcached pool survive.
    public static func storeSurvives(_ old: ServiceConfiguration.StoreConfiguration, _ new: ServiceConfiguration.StoreConfiguration) -> Bool {
        old == new
    }

    public static func httpClientSurvives(_ old: ServiceConfiguration, _ new: ServiceConfiguration) -> Bool {
        old.httpConnectTimeoutMs == new.httpConnectTimeoutMs && old.httpTimeoutMs == new.httpTimeoutMs && old.caFile == new.caFile
    }

    /// A provider's metadata and keys depend only on where they come from: its
    /// issuer (discovery) or its static metadata. A new client secret, scope or
    /// claim does not make them stale.
    public static func metadataCacheSurvives(_ old: ProviderSettings, _ new: ProviderSettings) -> Bool {
        old.issuer == new.issuer && old.staticMetadata == new.staticMetadata
    }

    private static func changes(from old: ServiceConfiguration, to new: ServiceConfiguration) -> [String] {
        var changes: [String] = []
        func note(_ name: String, _ differs: Bool) { if differs { changes.append(name) } }
        // Plain settings compared by their printed form; none of these holds a secret.
        func printed(_ value: some Any) -> String { String(reflecting: value) }
        let (a, b) = (old.settings, new.settings)
        note("public_url", a.publicOrigin != b.publicOrigin)
        note("redirect_path", a.redirectPath != b.redirectPath)
        note("clock_skew", a.clockSkewSeconds != b.clockSkewSeconds)
        note("allowed_return_origins", a.allowedReturnOrigins != b.allowedReturnOrigins)
        note("cookie", printed(a.cookie) != printed(b.cookie))
        note("login", printed(a.login) != printed(b.login))
        note("logout", printed(a.logout) != printed(b.logout))
        note("headers", printed(a.headers) != printed(b.headers))
        note("pages", printed(a.pages) != printed(b.pages))
        note("api", printed(a.api) != printed(b.api))
        note("session.secrets", a.session.secrets != b.session.secrets)
        note("session timeouts", a.session.inactivityTimeoutSeconds != b.session.inactivityTimeoutSeconds
            || a.session.maxLifetimeSeconds != b.session.maxLifetimeSeconds || a.session.recheckIntervalSeconds != b.session.recheckIntervalSeconds)
        note("session.store", old.store != new.store)
        note("http", !httpClientSurvives(old, new) || old.httpMaxConcurrent != new.httpMaxConcurrent)
        let oldNames = a.providers.map(\.name), newNames = b.providers.map(\.name)
        for name in newNames where !oldNames.contains(name) { changes.append("providers: added \(name)") }
        for name in oldNames where !newNames.contains(name) { changes.append("providers: removed \(name)") }
        for provider in b.providers {
            guard let before = a.providers.first(where: { $0.name == provider.name }) else { continue }
            note("providers.\(provider.name) client secret", before.clientSecret != provider.clientSecret)
            note("providers.\(provider.name) metadata source", !metadataCacheSurvives(before, provider))
            note("providers.\(provider.name) client", before.clientID != provider.clientID || before.scopes != provider.scopes
                || before.userClaim != provider.userClaim || printed(before.extraAuthorizationParameters) != printed(provider.extraAuthorizationParameters))
        }
        if oldNames != newNames && Set(oldNames) == Set(newNames) { changes.append("providers: order") }
        return changes
    }
}
