/// Whether this instance can serve logins and sessions now: the session store
/// answers a read (a real round trip, bounded by the store's own timeouts) and
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
        if store.isKnownUnavailable {
            failures.append("session store: unavailable (failed moments ago)")
        } else {
            do { _ = try store.get(Self.probeKey) } catch { failures.append("session store: \(error)") }
        }
        for provider in providerSettings where !providers.hasMetadata(for: provider) {
            failures.append("provider \(provider.name): metadata not loaded")
        }
        return failures
    }
}
