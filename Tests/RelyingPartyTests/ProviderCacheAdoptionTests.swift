import Logging
import RelyingParty
import Testing

/// A reload builds a new provider directory; it takes over the cached
/// metadata and keys of the providers named, and only those.
@Suite struct ProviderCacheAdoptionTests {
    let clock = FakeClock()
    let provider = ScriptedProvider()

    func directory() -> ProviderDirectory {
        ProviderDirectory(http: provider, clock: clock, logger: ProviderDirectoryTests.quiet)
    }

    @Test func anAdoptedProviderIsServedFromTheCacheWithoutAFetch() throws {
        let running = directory()
        let settings = provider.settings()
        let loaded = try running.snapshot(for: settings)
        #expect(provider.discoveryCount == 1)
        let reloaded = directory()
        reloaded.adoptCaches(of: [settings.name], from: running)
        let served = try reloaded.snapshot(for: settings)
        #expect(provider.discoveryCount == 1 && provider.jwksCount == 1)
        #expect(served.keysVersion == loaded.keysVersion)
    }

    @Test func aProviderNotNamedIsFetchedAgain() throws {
        let running = directory()
        let settings = provider.settings()
        _ = try running.snapshot(for: settings)
        let reloaded = directory()
        reloaded.adoptCaches(of: ["someone-else"], from: running)
        _ = try reloaded.snapshot(for: settings)
        #expect(provider.discoveryCount == 2)
    }
}
