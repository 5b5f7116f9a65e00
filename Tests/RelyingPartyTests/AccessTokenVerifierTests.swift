import Foundation
import JOSE
import Logging
import Synchronization
import Testing
import RelyingParty

/// The whole access token check against an in-memory provider and store: which
/// tokens go to introspection, the cache (hits, revocation latency, inactive
/// results, store failures), single flight, and JWT key rotation.
@Suite struct AccessTokenVerifierTests {
    private let fixtures = AccessTokenFixtures()
    private let provider: IntrospectingProvider
    private let store = FakeStore()
    private let clock: FakeClock
    private let directory: ProviderDirectory
    private let logger: Logger

    init() {
        provider = IntrospectingProvider(issuer: fixtures.issuer)
        clock = FakeClock(fixtures.now)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        self.logger = logger
        directory = ProviderDirectory(http: provider, clock: clock, logger: logger)
        provider.jwks = fixtures.jwks
    }

    private func settings(_ api: AccessTokenSettings = AccessTokenSettings(audiences: nil), auth: ProviderSettings.ClientAuthentication = .clientSecretBasic) -> ProviderSettings {
        var api = api
        if api.audiences == nil { api.audiences = [fixtures.audience, fixtures.clientID] }
        return ProviderSettings(name: "corp", issuer: fixtures.issuer, clientID: fixtures.clientID, clientSecret: "s3cret",
                                clientAuthentication: auth, api: api)
    }

    private func verifier(wait: Int = 2000) -> AccessTokenVerifier {
        AccessTokenVerifier(
            providers: directory, keyVerifier: RotatingKeyVerifier(directory: directory, logger: logger), http: provider,
            cache: AccessTokenCache(store: store, secrets: [Array("a-session-secret-of-at-least-32-bytes!!".utf8)], clock: clock, random: SystemRandomSource()),
            clock: clock, clockSkewSeconds: fixtures.clockSkew, flightWaitMilliseconds: wait, logger: logger)
    }

    private func activeAnswer(sub: String = "svc", exp: Int64? = nil, aud: JSONValue? = nil, clientID: String? = nil) -> [String: JSONValue] {
        var claims: [String: JSONValue] = [
            "active": .bool(true), "sub": .string(sub), "client_id": .string(clientID ?? fixtures.clientID),
            "scope": .string("orders:read"), "iss": .string(fixtures.issuer), "email": .string("svc@example.com"),
            "exp": .integer(exp ?? fixtures.now + 3600),
        ]
        if let aud { claims["aud"] = aud }
        return claims
    }

    private func rejection(_ verifier: AccessTokenVerifier, _ token: String, _ settings: ProviderSettings) -> AccessTokenError? {
        do { _ = try verifier.verify(token, provider: settings) } catch { return error }
        return nil
    }

    @Test func anOpaqueTokenIsIntrospectedWithTheClientsCredentials() throws {
        provider.answer("opaque-1", activeAnswer())
        let identity = try verifier().verify("opaque-1", provider: settings())
        #expect(identity.subject == "svc")
        #expect(identity.scopes == ["orders:read"])
        #expect(identity.claims["email"] == .string("svc@example.com"))
        let call = try #require(provider.lastIntrospection)
        #expect(call.method == .post)
        #expect(String(decoding: call.body, as: UTF8.self) == "token=opaque-1&token_type_hint=access_token")
        #expect(call.headers.contains { $0.name == "Authorization" && $0.value.hasPrefix("Basic ") })
    }

    @Test func clientSecretPostSendsTheCredentialsInTheForm() throws {
        provider.answer("opaque-1", activeAnswer())
        _ = try verifier().verify("opaque-1", provider: settings(auth: .clientSecretPost))
        let body = String(decoding: try #require(provider.lastIntrospection).body, as: UTF8.self)
        #expect(body == "token=opaque-1&token_type_hint=access_token&client_id=oidc-fcgi-client&client_secret=s3cret")
    }

    @Test func onlyALiteralTrueIsActive() {
        let verifier = verifier()
        for (index, active) in [JSONValue.string("true"), .integer(1), .null, .bool(false)].enumerated() {
            var answer = activeAnswer()
            answer["active"] = active
            provider.answer("t\(index)", answer)
            #expect(rejection(verifier, "t\(index)", settings()) == .inactive)
        }
        var missing = activeAnswer()
        missing.removeValue(forKey: "active")
        provider.answer("missing", missing)
        #expect(rejection(verifier, "missing", settings()) == .inactive)
    }

    @Test func anActiveAnswerWithAPastExpIsInactive() {
        provider.answer("old", activeAnswer(exp: fixtures.now - 1))
        #expect(rejection(verifier(), "old", settings()) == .inactive)
    }

    @Test func theAudienceOrElseTheClientIDMustBeAccepted() throws {
        let only = settings(AccessTokenSettings(audiences: ["https://api.example.com"]))
        provider.answer("aud-ok", activeAnswer(aud: .array([.string("x"), .string("https://api.example.com")])))
        provider.answer("aud-bad", activeAnswer(aud: .string("https://other.example.com")))
        provider.answer("no-aud-other-client", activeAnswer(clientID: "someone-else"))
        provider.answer("no-aud-own-client", activeAnswer())
        let verifier = verifier()
        _ = try verifier.verify("aud-ok", provider: only)
        #expect(rejection(verifier, "aud-bad", only) == .wrongAudience)
        #expect(rejection(verifier, "no-aud-other-client", settings(AccessTokenSettings(audiences: [fixtures.clientID]))) == .wrongAudience)
        _ = try verifier.verify("no-aud-own-client", provider: settings(AccessTokenSettings(audiences: [fixtures.clientID])))
    }

    @Test func anotherIssuerInTheAnswerIsRefused() {
        var answer = activeAnswer()
        answer["iss"] = .string("https://evil.example.com")
        provider.answer("t", answer)
        #expect(rejection(verifier(), "t", settings()) == .wrongIssuer(expected: fixtures.issuer, got: "https://evil.example.com"))
    }

    @Test func sequentialRequestsWithOneTokenMakeOneIntrospection() throws {
        provider.answer("opaque-1", activeAnswer())
        let verifier = verifier()
        for _ in 0..<20 { _ = try verifier.verify("opaque-1", provider: settings()) }
        #expect(provider.introspections == 1)
        #expect(store.keys.count == 1)
        let key = try #require(store.keys.first)
        #expect(!key.contains("opaque-1"), "the store key is a hash of the token, never the token")
        #expect(key == AccessTokenCache.key(for: "opaque-1", provider: "corp"))
        #expect(!String(decoding: store.rawValue(key)!, as: UTF8.self).contains("svc@example.com"), "the cached record is sealed")
    }

    @Test func aRevokedTokenStopsPassingWhenTheCacheMaximumEnds() throws {
        provider.answer("opaque-1", activeAnswer())
        let verifier = verifier()
        let short = settings(AccessTokenSettings(audiences: nil, cacheMaxSeconds: 2))
        _ = try verifier.verify("opaque-1", provider: short)
        provider.revoke("opaque-1")
        _ = try verifier.verify("opaque-1", provider: short)  // still cached
        clock.advance(3)
        #expect(rejection(verifier, "opaque-1", short) == .inactive)
        #expect(provider.introspections == 2)
    }

    @Test func aValidResultIsNotCachedPastTheTokensExpiry() throws {
        provider.answer("soon", activeAnswer(exp: fixtures.now + 10))
        let verifier = verifier()
        _ = try verifier.verify("soon", provider: settings())
        clock.advance(11)
        // The fake store ignores TTLs; the record's own exp is checked on read.
        #expect(rejection(verifier, "soon", settings()) == .inactive)
        #expect(provider.introspections == 2)
    }

    @Test func anInactiveResultIsCachedForTheShortTime() {
        let verifier = verifier()
        #expect(rejection(verifier, "unknown", settings()) == .inactive)
        #expect(rejection(verifier, "unknown", settings()) == .inactive)
        #expect(provider.introspections == 1)
    }

    @Test func aStoreThatFailsMeansALiveCheckNeverAnAllow() throws {
        store.failing = true
        provider.answer("opaque-1", activeAnswer())
        let verifier = verifier()
        _ = try verifier.verify("opaque-1", provider: settings())
        _ = try verifier.verify("opaque-1", provider: settings())
        #expect(provider.introspections == 2, "introspection results are cached in the store only")
        provider.revoke("opaque-1")
        #expect(rejection(verifier, "opaque-1", settings()) == .inactive)
    }

    @Test func jwtsAreVerifiedOncePerWindowAndNeverPastTheirExpiry() throws {
        let verifier = verifier()
        let token = fixtures.token("valid")
        let first = try verifier.verify(token, provider: settings())
        #expect(try verifier.verify(token, provider: settings()) == first)
        // A forged twin (one signature byte changed) is not the remembered token.
        var forged = Array(token.utf8)
        forged[forged.count - 2] = forged[forged.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(rejection(verifier, String(decoding: forged, as: UTF8.self), settings()) != nil)
        // Past exp (plus skew), the memo does not answer and validation refuses.
        clock.advance((first.expiresAt ?? fixtures.now) - fixtures.now + 3600)
        #expect(rejection(verifier, token, settings()) == .expired)
    }

    @Test func aTamperedCacheRecordIsNotTrusted() throws {
        let verifier = verifier()
        #expect(rejection(verifier, "unknown", settings()) == .inactive)
        // Someone with write access to the store copies another token's record over it.
        provider.answer("good", activeAnswer())
        _ = try verifier.verify("good", provider: settings())
        let goodKey = AccessTokenCache.key(for: "good", provider: "corp")
        store.overwrite(AccessTokenCache.key(for: "unknown", provider: "corp"), store.rawValue(goodKey)!)
        store.overwrite(AccessTokenCache.key(for: "forged", provider: "corp"), Array("{\"active\":{}}".utf8))
        clock.advance(31)
        #expect(rejection(verifier, "unknown", settings()) == .inactive)
        #expect(rejection(verifier, "forged", settings()) == .inactive)
    }

    @Test func aProviderThatCannotAnswerIsUnavailableNotInvalid() {
        let verifier = verifier()
        _ = try? directory.snapshot(for: settings())
        provider.failing = true
        let error = rejection(verifier, "opaque-1", settings())
        #expect(error.map { !$0.rejectsToken } == true, "got \(String(describing: error))")
    }

    @Test func introspectionWithoutAnEndpointIsUnavailable() {
        provider.publishesIntrospection = false
        let error = rejection(verifier(), "opaque-1", settings(AccessTokenSettings(validation: .introspection)))
        #expect(error == .introspectionNotAvailable)
        #expect(error?.rejectsToken == false)
    }

    @Test func validationDefaultsFollowWhatTheProviderPublishes() throws {
        // With an introspection endpoint: JWTs locally, opaque tokens introspected.
        provider.answer("opaque-1", activeAnswer())
        let verifier = verifier()
        _ = try verifier.verify(fixtures.token("valid"), provider: settings())
        #expect(provider.introspections == 0)
        _ = try verifier.verify("opaque-1", provider: settings())
        #expect(provider.introspections == 1)
        // A JWT-shaped token that fails locally is not given a second chance by introspection.
        #expect(rejection(verifier, fixtures.token("expired"), settings()) == .expired)
        #expect(provider.introspections == 1)
        // validation: jwt refuses opaque tokens without asking the provider.
        // (Other settings, another verifier: a verifier remembers what its own settings accepted.)
        #expect(rejection(self.verifier(), "opaque-1", settings(AccessTokenSettings(validation: .jwt))) == .notJWT)
        // validation: introspection sends JWTs too.
        provider.answer(fixtures.token("valid"), activeAnswer(sub: "introspected"))
        #expect(try self.verifier().verify(fixtures.token("valid"), provider: settings(AccessTokenSettings(validation: .introspection))).subject == "introspected")
    }

    @Test func anOverLongTokenIsRefusedBeforeAnything() {
        let error = rejection(verifier(), String(repeating: "a", count: 9000), settings())
        #expect(error == .tooLarge(bytes: 9000, limit: 8192))
        #expect(provider.introspections == 0)
    }

    @Test func concurrentFirstRequestsWithOneTokenMakeOneIntrospection() throws {
        provider.answer("fresh", activeAnswer())
        let verifier = verifier(wait: 5000)
        let settings = settings()
        _ = try directory.snapshot(for: settings)
        provider.hold.close()
        let results = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<50 {
            DispatchQueue.global().async(group: group) {
                let outcome = Result { () throws(AccessTokenError) in try verifier.verify("fresh", provider: settings) }
                results.add(outcome.map(\.subject).mapError { $0 as any Error })
            }
        }
        #expect(eventually { provider.hold.waitingCount == 1 })
        usleep(200_000)  // let the others queue behind the flight
        provider.hold.open()
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(provider.introspections == 1)
        #expect(results.successes == 50)
    }

    @Test func waitersGiveUpAfterTheWaitAndAnswerUnavailable() throws {
        provider.answer("fresh", activeAnswer())
        let verifier = verifier(wait: 100)
        let settings = settings()
        _ = try directory.snapshot(for: settings)
        provider.hold.close()
        let leader = DispatchGroup()
        DispatchQueue.global().async(group: leader) { _ = try? verifier.verify("fresh", provider: settings) }
        #expect(eventually { provider.hold.waitingCount == 1 })
        #expect(rejection(verifier, "fresh", settings) == .waitTimedOut(milliseconds: 100))
        provider.hold.open()
        _ = leader.wait(timeout: .now() + 5)
        #expect(provider.introspections == 1)
    }

    @Test(arguments: ["with kid", "without kid"])
    func aJWTSignedWithARotatedInKeyIsAcceptedAfterOneRefetch(_ variant: String) throws {
        provider.jwks = fixtures.previousJWKS
        let verifier = verifier()
        let settings = settings()
        _ = try directory.snapshot(for: settings)
        #expect(provider.jwksFetches == 1)
        provider.jwks = fixtures.jwks  // the provider rotates
        let token = fixtures.token(variant == "with kid" ? "valid" : "valid_no_kid")
        #expect(try verifier.verify(token, provider: settings).subject == "service-user-7")
        #expect(provider.jwksFetches == 2)
        _ = try verifier.verify(token, provider: settings)
        #expect(provider.jwksFetches == 2)
    }

    @Test func aForeignKeyDoesNotPassAfterTheRefetch() throws {
        let verifier = verifier()
        guard case .signature? = rejection(verifier, fixtures.token("foreign_key"), settings()) else {
            Issue.record("a token by a foreign key was not refused for its signature"); return
        }
        #expect(provider.jwksFetches == 2, "one refetch, then refused")
    }
}

/// Collects results from many threads.
final class ResultBox: Sendable {
    private let values = Mutex<[Result<String?, any Error>]>([])
    func add(_ value: Result<String?, any Error>) { values.withLock { $0.append(value) } }
    var successes: Int { values.withLock { $0.filter { if case .success("svc") = $0 { true } else { false } }.count } }
}
