import Dispatch
import Foundation
import Synchronization
import Testing
import RelyingParty

/// The session's access token for locations that ask for it
/// (`OIDC_PASS_ACCESS_TOKEN`): the refresh decision, the refresh itself and its
/// per-session store lock, rotation, and what a refused or failed refresh answers.
@Suite struct AccessTokenRefreshTests {
    static let secret = Array("flow-test-secret-of-at-least-32-bytes".utf8)

    // MARK: the refresh decision and rotation

    @Test func aTokenIsRefreshedOnlyWithinTheMarginOfItsExpiry() {
        let tokens = SessionTokens(accessToken: "at", refreshToken: "rt", accessTokenExpiresAt: 1_000 + 300, obtainedAt: 1_000)
        #expect(!tokens.needsRefresh(now: 1_000, marginSeconds: 60))
        #expect(!tokens.needsRefresh(now: 1_239, marginSeconds: 60))
        #expect(tokens.needsRefresh(now: 1_240, marginSeconds: 60))
        #expect(tokens.needsRefresh(now: 1_400, marginSeconds: 60), "expired")
        #expect(!tokens.needsRefresh(now: 1_299, marginSeconds: 0))
        #expect(tokens.needsRefresh(now: 1_300, marginSeconds: 0))
    }

    @Test func aShortLivedTokenIsRefreshedAtHalfItsLifetimeNotOnEveryRequest() {
        let tokens = SessionTokens(accessToken: "at", refreshToken: "rt", accessTokenExpiresAt: 1_010, obtainedAt: 1_000)
        #expect(!tokens.needsRefresh(now: 1_004, marginSeconds: 60))
        #expect(tokens.needsRefresh(now: 1_005, marginSeconds: 60))
    }

    @Test func withoutAnAccessTokenARefreshIsNeededAndWithoutAnExpiryNone() {
        #expect(SessionTokens(accessToken: nil, refreshToken: "rt", accessTokenExpiresAt: nil, obtainedAt: 0).needsRefresh(now: 1, marginSeconds: 60))
        #expect(SessionTokens(accessToken: "", refreshToken: "rt", accessTokenExpiresAt: 9_999, obtainedAt: 0).needsRefresh(now: 1, marginSeconds: 60))
        #expect(!SessionTokens(accessToken: "at", refreshToken: "rt", accessTokenExpiresAt: nil, obtainedAt: 0).needsRefresh(now: 1_000_000, marginSeconds: 60))
    }

    @Test func aRotatedRefreshTokenReplacesTheOldOneAndNoneKeepsIt() {
        let old = SessionTokens(accessToken: "at-1", refreshToken: "rt-1", accessTokenExpiresAt: 1_300, obtainedAt: 1_000)
        let rotated = old.refreshed(with: RefreshedTokens(accessToken: "at-2", refreshToken: "rt-2", expiresIn: 600), now: 1_250)
        #expect(rotated == SessionTokens(accessToken: "at-2", refreshToken: "rt-2", accessTokenExpiresAt: 1_850, obtainedAt: 1_250))
        let kept = old.refreshed(with: RefreshedTokens(accessToken: "at-2", refreshToken: nil, expiresIn: nil), now: 1_250)
        #expect(kept == SessionTokens(accessToken: "at-2", refreshToken: "rt-1", accessTokenExpiresAt: nil, obtainedAt: 1_250))
        let empty = old.refreshed(with: RefreshedTokens(accessToken: "at-2", refreshToken: "", expiresIn: 60), now: 1_250)
        #expect(empty.refreshToken == "rt-1")
    }

    @Test func aRefreshAnswerNeedsAnAccessToken() {
        #expect(RefreshedTokens.parse(Array(#"{"access_token":"a","expires_in":5,"refresh_token":"r"}"#.utf8))
            == RefreshedTokens(accessToken: "a", refreshToken: "r", expiresIn: 5))
        #expect(RefreshedTokens.parse(Array(#"{"token_type":"Bearer"}"#.utf8)) == nil)
        #expect(RefreshedTokens.parse(Array(#"{"access_token":""}"#.utf8)) == nil)
    }

    // MARK: through the auth answer

    @Test func withoutTheParameterTheHotPathDoesNoTokenWork() {
        let flow = FlowHarness()
        flow.logIn()
        flow.clock.advance(3_000)  // past the token's expiry, within the session's inactivity timeout
        flow.provider.down = true  // any provider call would fail the answer
        let reads = flow.store.readCalls
        let answer = flow.auth()
        #expect(answer.status == 200)
        #expect(answer.header("OIDC-Access-Token") == nil)
        #expect(flow.store.readCalls == reads + 1, "one store read, as before")
        #expect(flow.provider.refreshCalls == 0)
    }

    @Test func aFreshTokenIsHandedOnWithoutCallingTheProvider() {
        let flow = FlowHarness()
        flow.logIn()
        let answer = flow.tokenAuth()
        #expect(answer.status == 200)
        #expect(answer.header("OIDC-Access-Token") == "at-1")
        #expect(answer.header("X-Remote-User") == "alice")
        #expect(flow.provider.refreshCalls == 0)
    }

    @Test func anExpiringTokenIsRefreshedOnceAndTheResultReused() throws {
        let flow = FlowHarness()
        flow.logIn()
        flow.clock.advance(250)  // 50 s left, under the 60 s margin
        #expect(flow.tokenAuth().header("OIDC-Access-Token") == "at-2")
        #expect(flow.provider.refreshCalls == 1)
        let form = FormEncoding.decode(String(decoding: try #require(flow.provider.lastTokenRequest).body, as: UTF8.self))
        #expect(FormEncoding.single("grant_type", in: form) == "refresh_token")
        #expect(FormEncoding.single("refresh_token", in: form) == "rt-1")
        #expect(try #require(flow.provider.lastTokenRequest).headers.contains { $0.name.lowercased() == "authorization" && $0.value.hasPrefix("Basic ") })
        #expect(flow.tokenAuth().header("OIDC-Access-Token") == "at-2")
        #expect(flow.provider.refreshCalls == 1)
        // The provider sent no new refresh token: the old one is used again.
        flow.clock.advance(250)
        #expect(flow.tokenAuth().header("OIDC-Access-Token") == "at-3")
        #expect(flow.provider.refreshCalls == 2)
    }

    @Test func aRotatedRefreshTokenIsUsedNextEvenAfterTheSessionWasTouched() {
        let flow = FlowHarness()
        flow.provider.rotateRefreshTokens()
        flow.logIn()
        flow.clock.advance(250)
        #expect(flow.tokenAuth().header("OIDC-Access-Token") == "at-2")
        // Plain requests move the session's lastSeenAt (a write of the record they read).
        flow.clock.advance(100)
        #expect(flow.auth().status == 200)
        flow.clock.advance(200)
        let third = flow.tokenAuth()
        #expect(third.status == 200, "the rotated refresh token must not be lost")
        #expect(third.header("OIDC-Access-Token") == "at-3")
        #expect(flow.provider.refreshCalls == 2)
    }

    @Test func aRefusedRefreshEndsTheSession() {
        let flow = FlowHarness()
        flow.logIn()
        flow.provider.revokeRefreshTokens()
        flow.clock.advance(250)
        #expect(flow.tokenAuth().status == 401)
        #expect(flow.auth().status == 401, "the session is gone for every location")
        // What nginx's @oidc_login then answers: a login for browsers, 401 for scripts.
        #expect(flow.send(flow.request("login", uri: "/reports")).status == 302)
        #expect(flow.send(flow.request("login", uri: "/reports", headers: ["Accept": "application/json", "X-Requested-With": "XMLHttpRequest"])).status == 401)
    }

    @Test func aSessionWithoutRefreshTokenEndsWhenItsTokenExpires() {
        let flow = FlowHarness()
        flow.provider.issueNoRefreshTokens()
        flow.logIn()
        #expect(flow.tokenAuth().header("OIDC-Access-Token") == "at-1")
        flow.clock.advance(250)
        #expect(flow.tokenAuth().status == 401)
        #expect(flow.provider.refreshCalls == 0)
        #expect(flow.auth().status == 401)
    }

    @Test func aProviderThatIsDownIs503AndKeepsTheSession() {
        let flow = FlowHarness()
        flow.logIn()
        flow.clock.advance(250)
        flow.provider.down = true
        let answer = flow.tokenAuth()
        #expect(answer.status == 503)
        #expect(answer.header("Retry-After") != nil)
        #expect(flow.auth().status == 200, "a location without the token still works")
        flow.provider.down = false
        #expect(flow.tokenAuth().header("OIDC-Access-Token") == "at-2")
    }

    @Test func aProviderErrorIs503AndKeepsTheSession() {
        let flow = FlowHarness()
        flow.logIn()
        flow.clock.advance(250)
        flow.provider.failRefreshes()
        #expect(flow.tokenAuth().status == 503)
        #expect(flow.auth().status == 200)
    }

    @Test func anUnknownParameterValueIsAConfigurationError() {
        let flow = FlowHarness()
        flow.logIn()
        #expect(flow.tokenAuth(value: "sometimes").status == 500)
    }

    // MARK: the lock

    @Test func concurrentRequestsMakeOneRefreshAndAllUseItsResult() throws {
        let sleeps = CountingSleeper()
        let flow = FlowHarness(tokenRefresh: TokenRefreshSettings(waitMilliseconds: 3000, pollMilliseconds: 10), sleeper: sleeps) {
            HoldingTransport($0, holding: "/token")
        }
        flow.logIn()
        flow.clock.advance(250)
        let hold = try #require(flow.transport as? HoldingTransport).hold
        hold.close()
        let answers = Answers()
        let group = DispatchGroup()
        let (responder, request) = (flow.responder, flow.tokenRequest())
        for _ in 0..<8 {
            DispatchQueue.global().async(group: group) { answers.add(responder.respond(request)) }
        }
        // One request is at the provider, the seven others poll the store.
        #expect(eventually { hold.waitingCount == 1 && sleeps.count >= 7 * 3 })
        hold.open()
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(answers.all.count == 8)
        #expect(answers.all.allSatisfy { $0.status == 200 && $0.header("OIDC-Access-Token") == "at-2" })
        #expect(flow.provider.refreshCalls == 1)
    }

    @Test func aWaiterUsesWhatTheLockHolderStored() throws {
        let flow = FlowHarness(sleeper: InstantSleeper())
        flow.logIn()
        flow.clock.advance(250)
        let cookie = try #require(flow.jar.cookies["oidc_session"])
        let id = try #require(SessionID(cookieValue: cookie))
        let lock = try #require(flow.lockKey)
        // Another instance holds the lock, and stores its result while this one waits.
        #expect(try flow.store.add(lock, value: [1], ttlSeconds: 7))
        let other = SessionTokenStore(store: flow.store, secrets: [Self.secret], clock: flow.clock, random: SystemRandomSource())
        let now = flow.clock.now()
        let sleeper = try #require(flow.sleeper as? InstantSleeper)
        let store = flow.store
        sleeper.onFirstSleep {
            try? other.save(SessionTokens(accessToken: "at-other", refreshToken: "rt-1", accessTokenExpiresAt: now + 300, obtainedAt: now),
                            for: id, sessionExpiresAt: now + 3600)
            try? store.delete(lock)
        }
        let answer = flow.tokenAuth()
        #expect(answer.status == 200)
        #expect(answer.header("OIDC-Access-Token") == "at-other")
        #expect(flow.provider.refreshCalls == 0, "never a second refresh")
    }

    @Test func aLockHolderThatNeverFinishesIs503WithoutASecondRefresh() throws {
        let sleeper = InstantSleeper()
        let flow = FlowHarness(tokenRefresh: TokenRefreshSettings(waitMilliseconds: 2500, pollMilliseconds: 100), sleeper: sleeper)
        flow.logIn()
        flow.clock.advance(250)
        let lock = try #require(flow.lockKey)
        #expect(try flow.store.add(lock, value: [1], ttlSeconds: 7))
        let answer = flow.tokenAuth()
        #expect(answer.status == 503)
        #expect(sleeper.slept == 2500, "waits the whole bounded time, no longer")
        #expect(flow.provider.refreshCalls == 0)
        // Once the lock is gone (its TTL), the next request refreshes.
        try flow.store.delete(lock)
        #expect(flow.tokenAuth().header("OIDC-Access-Token") == "at-2")
        #expect(flow.provider.refreshCalls == 1)
    }

    @Test func aWaiterAnswers503AtOnceWhenTheHolderGaveUp() throws {
        let sleeper = InstantSleeper()
        let flow = FlowHarness(sleeper: sleeper)
        flow.logIn()
        flow.clock.advance(250)
        let lock = try #require(flow.lockKey)
        #expect(try flow.store.add(lock, value: [1], ttlSeconds: 7))
        let store = flow.store
        sleeper.onFirstSleep { try? store.delete(lock) }
        #expect(flow.tokenAuth().status == 503)
        #expect(sleeper.slept == 100)
        #expect(flow.provider.refreshCalls == 0)
    }

    @Test func aWaiterSeesTheSessionEndedByTheHolder() throws {
        let sleeper = InstantSleeper()
        let flow = FlowHarness(sleeper: sleeper)
        flow.logIn()
        flow.clock.advance(250)
        let lock = try #require(flow.lockKey)
        let session = try #require(flow.sessionKey)
        #expect(try flow.store.add(lock, value: [1], ttlSeconds: 7))
        let store = flow.store
        sleeper.onFirstSleep { try? store.delete(session); try? store.delete(lock) }
        #expect(flow.tokenAuth().status == 401)
    }

    @Test func logoutDeletesTheRefreshedTokensToo() throws {
        let flow = FlowHarness()
        flow.logIn()
        flow.clock.advance(250)
        #expect(flow.tokenAuth().status == 200)
        let tokens = try #require(flow.jar.cookies["oidc_session"].flatMap { SessionID(cookieValue: $0) }).tokensKey
        #expect(flow.store.rawValue(tokens) != nil)
        flow.send(flow.request("logout", uri: "/oidc/logout"))
        #expect(flow.store.rawValue(tokens) == nil)
        #expect(flow.auth().status == 401)
    }

    @Test func theLockIsReleasedAfterARefresh() throws {
        let flow = FlowHarness()
        flow.logIn()
        flow.clock.advance(250)
        #expect(flow.tokenAuth().status == 200)
        let lock = try #require(flow.lockKey)
        #expect(flow.store.rawValue(lock) == nil)
        // The tokens live next to the session, sealed: the token itself is not in the store in clear.
        #expect(!flow.store.keys.compactMap(flow.store.rawValue).contains { String(decoding: $0, as: UTF8.self).contains("at-2") })
    }
}

extension FlowHarness {
    func logIn() {
        let authorization = startLogin()
        let back = send(request("callback", uri: callbackURI(for: authorization)))
        precondition(back.status == 302, "login should succeed, got \(back.status)")
    }

    func tokenRequest(value: String = "on", headers: [String: String] = ["Accept": "text/html"]) -> Request {
        .browser(uri: "/reports", headers: headers, cookie: jar.header, params: ["OIDC_ACTION": "auth", "OIDC_PASS_ACCESS_TOKEN": value])
    }

    func tokenAuth(value: String = "on") -> Response { send(tokenRequest(value: value)) }

    private var sessionID: SessionID? { jar.cookies["oidc_session"].flatMap { SessionID(cookieValue: $0) } }

    /// The session's store key.
    var sessionKey: String? { sessionID?.storeKey }

    /// The key of the session's refresh lock.
    var lockKey: String? { sessionID?.refreshLockKey }
}

/// Counts the pauses and really sleeps them.
final class CountingSleeper: Sleeper {
    private let calls = Atomic<Int>(0)
    var count: Int { calls.load(ordering: .relaxed) }
    func sleep(milliseconds: Int) {
        calls.add(1, ordering: .relaxed)
        ThreadSleeper().sleep(milliseconds: milliseconds)
    }
}

/// Returns at once, adding up what it was asked to sleep; can run something on
/// the first pause (what another instance does meanwhile).
final class InstantSleeper: Sleeper {
    private let state = Mutex<(slept: Int, first: (@Sendable () -> Void)?)>((0, nil))
    var slept: Int { state.withLock { $0.slept } }
    func onFirstSleep(_ work: @escaping @Sendable () -> Void) { state.withLock { $0.first = work } }
    func sleep(milliseconds: Int) {
        let work = state.withLock { state -> (@Sendable () -> Void)? in
            state.slept += milliseconds
            defer { state.first = nil }
            return state.first
        }
        work?()
    }
}

/// Answers collected from several threads.
final class Answers: Sendable {
    private let collected = Mutex<[Response]>([])
    var all: [Response] { collected.withLock { $0 } }
    func add(_ response: Response) { collected.withLock { $0.append(response) } }
}
