import Configuration
import Testing

/// What a reload keeps running and what it applies, decided from the running
/// and the newly read configuration.
@Suite struct ReloadPlanTests {
    private func config(_ extra: String = "", provider: String = "", session: String = "") throws -> ServiceConfiguration {
        try ConfigurationLoader.parse(yaml: """
        public_url: https://app.example.com
        session:
          secrets: ["0123456789abcdef0123456789abcdef-first"]
        \(session)
        providers:
          - name: corp
            issuer: https://idp.example.com
            client_id: app
            client_secret: s3cret
        \(provider)
          - name: partner
            issuer: https://partner.example.com
            client_id: app
            client_secret: partner-s3cret
        \(extra)
        """)
    }

    @Test func anUnchangedFileKeepsEverythingAndChangesNothing() throws {
        let plan = ReloadPlan(running: try config(), read: try config())
        #expect(plan.keepsStore && plan.keepsHTTPClient)
        #expect(plan.providersKeepingCaches == ["corp", "partner"])
        #expect(plan.changes.isEmpty && plan.needsRestart.isEmpty)
    }

    @Test func aHeaderMappingChangeKeepsTheStoreAndEveryProviderCache() throws {
        let plan = ReloadPlan(running: try config(), read: try config("headers:\n  claims:\n    X-Remote-Email: email"))
        #expect(plan.keepsStore)
        #expect(plan.providersKeepingCaches == ["corp", "partner"])
        #expect(plan.changes == ["headers"])
    }

    @Test func equalStoreSettingsKeepTheStoreAndOtherOnesDoNot() throws {
        let memory = ServiceConfiguration.StoreConfiguration.memory(capacity: 100)
        let memcached = ServiceConfiguration.StoreConfiguration.memcached(
            servers: ["127.0.0.1:11211"], connectTimeoutMs: 500, timeoutMs: 500, keyPrefix: "oidc-fcgi:", poolSize: 0)
        #expect(ReloadPlan.storeSurvives(memory, .memory(capacity: 100)))
        #expect(!ReloadPlan.storeSurvives(memory, .memory(capacity: 200)))
        #expect(ReloadPlan.storeSurvives(memcached, memcached))
        #expect(!ReloadPlan.storeSurvives(memcached, .memcached(
            servers: ["127.0.0.1:11212"], connectTimeoutMs: 500, timeoutMs: 500, keyPrefix: "oidc-fcgi:", poolSize: 0)))
        #expect(!ReloadPlan.storeSurvives(memory, memcached))
        let plan = ReloadPlan(running: try config(), read: try config(session: "  memory:\n    capacity: 10"))
        #expect(!plan.keepsStore)
        #expect(plan.changes == ["session.store"])
    }

    @Test func aNewIssuerDropsThatProvidersCacheOnly() throws {
        let running = try config()
        var moved = running
        moved.settings.providers[0].issuer = "https://new-idp.example.com"
        let plan = ReloadPlan(running: running, read: moved)
        #expect(plan.providersKeepingCaches == ["partner"])
        #expect(plan.changes == ["providers.corp metadata source"])
    }

    @Test func aNewClientSecretKeepsTheCacheAndIsNamedWithoutItsValue() throws {
        let running = try config()
        var rotated = running
        rotated.settings.providers[0].clientSecret = "n3w-s3cret"
        let plan = ReloadPlan(running: running, read: rotated)
        #expect(ReloadPlan.metadataCacheSurvives(running.settings.providers[0], rotated.settings.providers[0]))
        #expect(plan.providersKeepingCaches == ["corp", "partner"])
        #expect(plan.changes == ["providers.corp client secret"])
        #expect(!plan.changes.joined().contains("s3cret"))
    }

    @Test func aChangedCAFileDropsEveryProviderCacheAndTheHTTPClient() throws {
        let running = try config()
        var changed = running
        changed.caFile = "/etc/ssl/certs/ca-certificates.crt"
        let plan = ReloadPlan(running: running, read: changed)
        #expect(!plan.keepsHTTPClient)
        #expect(plan.providersKeepingCaches.isEmpty)
    }

    @Test func removedAndAddedProvidersAreNamed() throws {
        let running = try config()
        var changed = running
        changed.settings.providers[1].name = "other"
        let plan = ReloadPlan(running: running, read: changed)
        #expect(plan.providersKeepingCaches == ["corp"])
        #expect(plan.changes == ["providers: added other", "providers: removed partner"])
    }

    @Test func rotatedSessionSecretsAreNamedAndTheStoreKept() throws {
        let running = try config()
        var rotated = running
        rotated.settings.session.secrets.insert(Array("fedcba9876543210fedcba9876543210-second".utf8), at: 0)
        let plan = ReloadPlan(running: running, read: rotated)
        #expect(plan.keepsStore)
        #expect(plan.changes == ["session.secrets"])
    }

    @Test func restartOnlySettingsKeepTheirRunningValuesAndTheRestApplies() throws {
        let running = try config("workers: 8")
        let read = try config("workers: 2\nlisten: tcp:127.0.0.1:9000\nsocket_mode: \"0600\"\nlog_level: debug\nmetrics:\n  listen: tcp:127.0.0.1:9464\nheaders:\n  claims:\n    X-Remote-Email: email")
        let plan = ReloadPlan(running: running, read: read)
        #expect(plan.applied.workers == 8 && plan.applied.listen == running.listen && plan.applied.socketMode == running.socketMode)
        #expect(plan.applied.logLevel == running.logLevel)
        #expect(plan.needsRestart == [
            "`listen` needs a restart; kept the old value", "`socket_mode` needs a restart; kept the old value",
            "`workers` needs a restart; kept the old value", "`log_level` needs a restart; kept the old value",
            "`metrics.listen` needs a restart; kept the old value",
        ])
        #expect(plan.applied.metricsListen == nil)
        #expect(plan.applied.settings.headers.claimHeaders.map(\.claim) == ["email"])
        // The default provider call limit follows the file's `workers` (2): it applies, and is named.
        #expect(plan.applied.httpMaxConcurrent == 1)
        #expect(plan.changes == ["headers", "http"])
    }

    @Test func theProviderCallLimitStaysBelowTheRunningWorkers() throws {
        let running = try config("workers: 2")
        let read = try config("workers: 8\nhttp:\n  max_concurrent: 6")
        let plan = ReloadPlan(running: running, read: read)
        #expect(plan.applied.httpMaxConcurrent == 1)
    }
}
