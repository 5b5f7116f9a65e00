import Foundation
import Logging
import Testing
import RelyingParty
import Synchronization

/// The metadata cache: single-flight fetches, stale-while-revalidate, backoff
/// after failures, and the key refetch's own rate limit.
@Suite struct ProviderDirectoryTests {
    let clock = FakeClock()
    let provider = ScriptedProvider()
    static let quiet: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    func directory(runner: any BackgroundRunner = InlineRunner()) -> ProviderDirectory {
        ProviderDirectory(http: provider, clock: clock, logger: Self.quiet, runner: runner)
    }

    @Test func manyThreadsWithoutMetadataMakeOneFetchAndTheOthersFailAtOnce() throws {
        let directory = directory()
        let settings = provider.settings()
        provider.hold.close()
        let outcomes = Mutex<[Result<Int64, ProviderError>]>([])
        let group = DispatchGroup()
        for _ in 0..<16 {
            DispatchQueue.global().async(group: group) {
                let outcome: Result<Int64, ProviderError>
                outcome = Result { () throws(ProviderError) in try directory.snapshot(for: settings).fetchedAt }
                outcomes.withLock { $0.append(outcome) }
            }
        }
        // One caller fetches (and hangs on the provider); the 15 others do not queue behind it.
        #expect(eventually { outcomes.withLock { $0.count } == 15 })
        #expect(provider.hold.waitingCount == 1)
        #expect(outcomes.withLock { $0 }.allSatisfy { $0 == .failure(.notLoadedYet(issuer: provider.issuer)) })
        provider.hold.open()
        #expect(group.wait(timeout: .now() + 5) == .success)
        #expect(outcomes.withLock { $0.filter { (try? $0.get()) != nil }.count } == 1)
        #expect(provider.discoveryCount == 1)
        #expect(provider.jwksCount == 1)
        // Loaded: every later caller gets it without another fetch.
        _ = try directory.snapshot(for: settings)
        #expect(provider.discoveryCount == 1)
    }

    @Test func withABackgroundRunnerNoCallerEverWaitsForTheFirstLoad() throws {
        let runner = ManualRunner()
        let directory = directory(runner: runner)
        let settings = provider.settings()
        directory.prefetch([settings])
        #expect(runner.pending == 1)
        #expect(provider.discoveryCount == 0)
        #expect(throws: ProviderError.notLoadedYet(issuer: provider.issuer)) { try directory.snapshot(for: settings) }
        #expect(runner.pending == 1, "the fetch already running is not started again")
        runner.runAll()
        let loaded = try directory.snapshot(for: settings)
        #expect(loaded.metadata.tokenEndpoint == provider.issuer + "/token")
        #expect(provider.discoveryCount == 1)
    }

    @Test func startUpLoadsEveryProviderOneAfterAnotherSoASmallConcurrencyLimitRefusesNone() throws {
        // A concurrent runner and one slot (http.max_concurrent for one or two workers):
        // side by side, the second provider's fetch was refused while the first one waited.
        let bounded = BoundedHTTPTransport(wrapping: provider, limit: 1)
        let directory = ProviderDirectory(http: bounded, clock: clock, logger: Self.quiet, runner: DispatchBackgroundRunner())
        let first = provider.settings()
        var second = provider.settings()
        second.name = "partner"
        provider.hold.close()
        directory.prefetch([first, second])
        #expect(eventually { provider.hold.waitingCount == 1 })
        directory.prefetch([first, second])  // already being loaded: not queued again
        provider.hold.open()
        #expect(eventually { (try? directory.snapshot(for: second)) != nil }, "the second provider did not load")
        #expect(try directory.snapshot(for: first).metadata.issuer == provider.issuer)
        #expect(provider.discoveryCount == 2)
    }

    @Test func staleMetadataIsServedAtOnceWhileOneRefreshRunsInTheBackground() throws {
        let runner = ManualRunner()
        let directory = directory(runner: runner)
        let settings = provider.settings(metadataRefreshSeconds: 60)
        directory.prefetch([settings])
        runner.runAll()
        let first = try directory.snapshot(for: settings)

        clock.advance(61)
        provider.hold.close()  // the refresh would hang: nobody may wait for it
        for _ in 0..<5 {
            #expect(try directory.snapshot(for: settings).fetchedAt == first.fetchedAt)
        }
        #expect(runner.pending == 1, "one refresh for all the callers")
        provider.hold.open()
        runner.runAll()
        #expect(provider.discoveryCount == 2)
        let fresh = try directory.snapshot(for: settings)
        #expect(fresh.fetchedAt == first.fetchedAt + 61)
        #expect(runner.pending == 0)
    }

    @Test func failedFetchesBackOffAndTheNextCallersGetTheErrorAtOnce() throws {
        let directory = directory()
        let settings = provider.settings()
        provider.failing = true
        #expect(throws: ProviderError.self) { try directory.snapshot(for: settings) }
        #expect(provider.discoveryCount == 1)
        // Within the backoff (1 s after the first failure): no new attempt, an immediate error.
        do {
            _ = try directory.snapshot(for: settings)
            Issue.record("expected an error during the backoff")
        } catch {
            guard case .retryingLater(_, let lastFailure, let seconds) = error else { Issue.record("got \(error)"); return }
            #expect(lastFailure.contains("connection refused"))
            #expect(seconds == 1)
        }
        #expect(provider.discoveryCount == 1)
        clock.advance(1)
        #expect(throws: ProviderError.self) { try directory.snapshot(for: settings) }
        #expect(provider.discoveryCount == 2)
        // The second failure doubles the wait to 2 s.
        clock.advance(1)
        #expect(throws: ProviderError.self) { try directory.snapshot(for: settings) }
        #expect(provider.discoveryCount == 2)
        clock.advance(1)
        provider.failing = false
        #expect(try directory.snapshot(for: settings).metadata.issuer == provider.issuer)
        #expect(provider.discoveryCount == 3)
    }

    @Test func backoffIsCappedAtOneMinute() {
        let directory = directory()
        let settings = provider.settings()
        provider.failing = true
        for _ in 0..<12 {
            _ = try? directory.snapshot(for: settings)
            clock.advance(3600)
        }
        _ = try? directory.snapshot(for: settings)
        do {
            _ = try directory.snapshot(for: settings)
        } catch {
            guard case .retryingLater(_, _, let seconds) = error else { Issue.record("got \(error)"); return }
            #expect(seconds == 60)
        }
    }

    @Test func aFailingRefreshKeepsServingTheStaleCopyAndBacksOff() throws {
        let runner = ManualRunner()
        let directory = directory(runner: runner)
        let settings = provider.settings(metadataRefreshSeconds: 60)
        directory.prefetch([settings])
        runner.runAll()
        let first = try directory.snapshot(for: settings)
        clock.advance(61)
        provider.failing = true
        #expect(try directory.snapshot(for: settings).fetchedAt == first.fetchedAt)
        runner.runAll()
        #expect(provider.discoveryCount == 2)
        // During the backoff the stale copy is served and no refresh is queued.
        #expect(try directory.snapshot(for: settings).fetchedAt == first.fetchedAt)
        #expect(runner.pending == 0)
        clock.advance(1)
        #expect(try directory.snapshot(for: settings).fetchedAt == first.fetchedAt)
        #expect(runner.pending == 1)
    }

    @Test func keyRefetchesAreRateLimitedByTheirOwnTimestampOnly() throws {
        let directory = directory()
        let settings = provider.settings(metadataRefreshSeconds: 60)
        let loaded = try directory.snapshot(for: settings)
        #expect(provider.jwksCount == 1)
        // Right after the first load (a key fetch): an unknown key still gets its refetch.
        let refetched = try #require(try directory.refreshKeys(for: settings, replacing: loaded))
        #expect(provider.jwksCount == 2)
        // A second unknown key right after is rate-limited…
        #expect(try directory.refreshKeys(for: settings, replacing: refetched) == nil)
        #expect(provider.jwksCount == 2)
        // …but a caller that still holds the old keys retries with the newer ones, without a fetch.
        let newer = try #require(try directory.refreshKeys(for: settings, replacing: loaded))
        #expect(newer.keys === refetched.keys)
        #expect(provider.jwksCount == 2)

        // A periodic refresh (a key fetch too) does not count against the limit.
        clock.advance(61)
        let refreshed = try directory.snapshot(for: settings)
        #expect(provider.jwksCount == 3)
        #expect(try directory.refreshKeys(for: settings, replacing: refreshed) != nil)
        #expect(provider.jwksCount == 4)
        clock.advance(29)
        let current = try directory.snapshot(for: settings)
        #expect(try directory.refreshKeys(for: settings, replacing: current) == nil)
        clock.advance(1)
        #expect(try directory.refreshKeys(for: settings, replacing: current) != nil)
        #expect(provider.jwksCount == 5)
    }
}
