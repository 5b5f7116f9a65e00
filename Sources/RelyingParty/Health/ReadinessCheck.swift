/// Whether this instance can serve logins and sessions now: the session store
/// answers a read on every server (a real round trip, bounded by the store's
/// own timeouts; a server skipped after a failure fails at once) and
/// every configured provider's metadata is loaded. Says what fails, in words
/// an operator can act on, and nothing secret.
public struct ReadinessCheck: Sendable {
    /// The key read by the probe; never written, so a miss is the healthy answer.
    static let probeKey = "readiness-probe"

    private let store: any KeyValueStore
    private let providers: ProviderDirectory
    private let providerSettings: [ProviderSettings]

    public init(store: any KeyValueStore, providers: ProviderDirectory, providerSettings: [ProviderSettings]) {
        self.store = store
        self.providers = providers
        self.providerSettings = providerSettings
    }

    public init(context: RelyingPartyContext) {
        self.init(store: context.store, providers: context.providers, providerSettings: context.settings.providers)
    }

    /// One line per failing check; empty when ready.
    public func failures() -> [String] {
        var failures: [String] = []
        failures += store.readinessProblems(probeKey: Self.probeKey).map { "session store: \($0)" }
        for provider in providerSettings where !providers.hasMetadata(for: provider) {
            failures.append("provider \(provider.name): metadata not loaded")
        }
        return failures
    }
}
