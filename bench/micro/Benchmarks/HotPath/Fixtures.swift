import Foundation
import JOSE
import Logging
import RelyingParty
import Synchronization

// What the benchmarks run against: ports that cost next to nothing (so the
// figures are the relying party's own work), a session as a real provider's
// login leaves it, and the requests nginx sends to the auth location.

/// A session store in memory: one locked dictionary, no expiry and no
/// eviction, the cheapest store there is. Counts writes, so the set-up can
/// check that the measured lookups are reads only.
final class DictionaryStore: KeyValueStore {
    private let entries = Mutex<[String: [UInt8]]>([:])
    private let writeCount = Atomic<Int>(0)

    /// `set`, `add`, `delete` and `touch` calls so far.
    var writes: Int { writeCount.load(ordering: .relaxed) }

    func get(_ key: String) throws(StoreError) -> [UInt8]? { entries.withLock { $0[key] } }

    func getMany(_ keys: [String]) throws(StoreError) -> [[UInt8]?] {
        entries.withLock { entries in keys.map { entries[$0] } }
    }

    func set(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) {
        writeCount.add(1, ordering: .relaxed)
        entries.withLock { $0[key] = value }
    }

    func add(_ key: String, value: [UInt8], ttlSeconds: Int) throws(StoreError) -> Bool {
        writeCount.add(1, ordering: .relaxed)
        return entries.withLock { entries in
            guard entries[key] == nil else { return false }
            entries[key] = value
            return true
        }
    }

    func delete(_ key: String) throws(StoreError) {
        writeCount.add(1, ordering: .relaxed)
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    func touch(_ key: String, ttlSeconds: Int) throws(StoreError) -> Bool {
        writeCount.add(1, ordering: .relaxed)
        return entries.withLock { $0[key] != nil }
    }
}

/// "Now" never moves: a session created at `now` is looked up within its
/// touch interval, so a lookup never rewrites the record (the common case).
struct FixedClock: WallClock {
    let seconds: Int64
    func now() -> Int64 { seconds }
}

/// The auth answer never talks to the provider. Only the key set fetched at
/// start-up is answered (empty: nothing here verifies a signature), so the
/// provider's metadata is loaded as in a running server; any other call is
/// counted and refused, and the set-up checks that none was made.
final class NoProvider: HTTPTransport {
    static let jwksURI = RealisticSession.issuer + "/protocol/openid-connect/certs"
    private let callCount = Atomic<Int>(0)
    var calls: Int { callCount.load(ordering: .relaxed) }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        if request.url == Self.jwksURI { return InboundResponse(status: 200, body: Array(#"{"keys":[]}"#.utf8)) }
        callCount.add(1, ordering: .relaxed)
        throw .unreachable(url: request.url, reason: "the micro-benchmark has no provider")
    }
}

/// A session as a login with a Keycloak-like provider leaves it: every ID
/// token claim plus userinfo's, and the three tokens at their usual sizes.
enum RealisticSession {
    static let now: Int64 = 1_800_000_000
    static let provider = "main"
    static let issuer = "https://login.example.com/realms/acme"
    static let clientID = "app"
    static let subject = "f3b8c2d1-6a4e-4f0b-9c7d-2e5a1b8c9d0e"
    static let providerSessionID = "0c6f3a52-9e1b-4d7a-8f24-5b3c1e9a7d60"
    static let user = "jane.doe"

    /// What the ID token says: the protocol claims, the e-mail and the user name.
    static let idTokenClaims: [String: JSONValue] = [
        "iss": .string(issuer),
        "sub": .string(subject),
        "aud": .string(clientID),
        "azp": .string(clientID),
        "exp": .integer(now + 300),
        "iat": .integer(now),
        "auth_time": .integer(now - 5),
        "nonce": .string("Qk9Bb1hOa2ZBd1VfZ3lxTnNKbU1Wb0dQc2lJc1ZfdWs"),
        "sid": .string(providerSessionID),
        "at_hash": .string("x2zN1S7bQ6xq2Z0a9pV4Rw"),
        "acr": .string("1"),
        "email": .string("jane.doe@example.com"),
        "preferred_username": .string(user),
    ]

    /// The claims the callback stores: the ID token's, and userinfo's on top.
    static let claims: [String: JSONValue] = idTokenClaims.merging([
        "email_verified": .bool(true),
        "name": .string("Jane Müller-Doe"),
        "given_name": .string("Jane"),
        "family_name": .string("Müller-Doe"),
        "groups": .array([
            .string("/staff"), .string("/staff/engineering"), .string("/projects/oidc-fcgi"),
            .string("/vpn-users"), .string("/wiki-editors"),
        ]),
    ]) { _, userinfo in userinfo }

    static let idToken = jwt(header: #"{"alg":"RS256","typ":"JWT","kid":"Yw4n2kq7cV3mH9tX1bL6pR8sD0fJ5gA2"}"#,
                             payload: .object(idTokenClaims), signatureBytes: 256)

    static let accessToken = jwt(header: #"{"alg":"RS256","typ":"at+jwt","kid":"Yw4n2kq7cV3mH9tX1bL6pR8sD0fJ5gA2"}"#, payload: .object([
        "iss": .string(issuer), "sub": .string(subject), "aud": .string("orders-api"), "client_id": .string(clientID),
        "exp": .integer(now + 300), "iat": .integer(now), "jti": .string("7d1e4b3a-2c9f-4e8d-a6b5-1f0e9d8c7b6a"),
        "scope": .string("openid email profile"),
        "realm_access": .object(["roles": .array([.string("offline_access"), .string("default-roles-acme")])]),
    ]), signatureBytes: 256)

    static let refreshToken = jwt(header: #"{"alg":"HS512","typ":"JWT","kid":"5d2c8e1f-3b4a-4c6d-9e7f-0a1b2c3d4e5f"}"#, payload: .object([
        "iss": .string(issuer), "sub": .string(subject), "aud": .string(issuer), "azp": .string(clientID),
        "exp": .integer(now + 1800), "iat": .integer(now), "jti": .string("4e9b2a7c-1d3f-4a5b-8c6d-7e8f9a0b1c2d"),
        "typ": .string("Refresh"), "sid": .string(providerSessionID), "scope": .string("openid email profile"),
    ]), signatureBytes: 64)

    static var record: SessionRecord {
        SessionRecord(
            provider: provider, subject: subject, providerSessionID: providerSessionID, user: user, claims: claims,
            idToken: idToken, accessToken: accessToken, refreshToken: refreshToken, accessTokenExpiresAt: now + 300,
            createdAt: now, lastSeenAt: now, expiresAt: now + 8 * 3600, checkedAt: now,
            authenticatedAt: now - 5, acr: "1")
    }

    /// A compact JWS of the given shape; the signature is filler of the right length.
    private static func jwt(header: String, payload: JSONValue, signatureBytes: Int) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(payload)).map(Array.init) ?? []
        let signature = (0..<signatureBytes).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }
        return [Base64URL.encode(Array(header.utf8)), Base64URL.encode(body), Base64URL.encode(signature)].joined(separator: ".")
    }
}

/// The auth subrequest as nginx hands it over: `include fastcgi_params;` plus
/// the oidc-fcgi include file's parameters, and the browser's headers as HTTP_*.
enum AuthSubrequest {
    static func params(cookie: String?) -> [String: String] {
        var params = [
            "QUERY_STRING": "year=2026&quarter=2",
            "REQUEST_METHOD": "GET",
            "CONTENT_TYPE": "",
            "CONTENT_LENGTH": "",
            "SCRIPT_NAME": "/_oidc/auth",
            "REQUEST_URI": "/reports/quarterly?year=2026&quarter=2",
            "DOCUMENT_URI": "/_oidc/auth",
            "DOCUMENT_ROOT": "/usr/share/nginx/html",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_SCHEME": "https",
            "HTTPS": "on",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_SOFTWARE": "nginx/1.22.1",
            "REMOTE_ADDR": "203.0.113.54",
            "REMOTE_PORT": "51844",
            "SERVER_ADDR": "192.0.2.10",
            "SERVER_PORT": "443",
            "SERVER_NAME": "app.example.com",
            "REDIRECT_STATUS": "200",
            "OIDC_ACTION": "auth",
            "HTTP_HOST": "app.example.com",
            "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.7,de;q=0.3",
            "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd",
            "HTTP_REFERER": "https://app.example.com/reports",
            "HTTP_SEC_FETCH_DEST": "document",
            "HTTP_SEC_FETCH_MODE": "navigate",
            "HTTP_SEC_FETCH_SITE": "same-origin",
            "HTTP_SEC_FETCH_USER": "?1",
            "HTTP_UPGRADE_INSECURE_REQUESTS": "1",
            "HTTP_PRIORITY": "u=0, i",
        ]
        if let cookie { params["HTTP_COOKIE"] = cookie }
        return params
    }

    /// The browser's Cookie header: the application's own cookies around the session's.
    static func cookieHeader(session: String?) -> String {
        var cookies = ["_ga=GA1.1.1234567890.1799990000", "theme=dark", "csrftoken=8f3kq0Zb1X7mYpW2nL5vR9tC4hJ6dG0s"]
        if let session { cookies.insert("oidc_session=" + session, at: 2) }
        return cookies.joined(separator: "; ")
    }
}

/// One relying party as the server builds it at start-up, over the fixtures.
struct Fixture {
    static let secret = Array("micro-benchmark-session-secret-of-48-bytes-000000".utf8)

    let store = DictionaryStore()
    let transport = NoProvider()
    let context: RelyingPartyContext
    let responder: Responder
    let sessionCookie: String

    init() {
        let metadata = ProviderMetadata(
            issuer: RealisticSession.issuer,
            authorizationEndpoint: RealisticSession.issuer + "/protocol/openid-connect/auth",
            tokenEndpoint: RealisticSession.issuer + "/protocol/openid-connect/token",
            userinfoEndpoint: RealisticSession.issuer + "/protocol/openid-connect/userinfo",
            jwksURI: NoProvider.jwksURI,
            endSessionEndpoint: RealisticSession.issuer + "/protocol/openid-connect/logout",
            idTokenSigningAlgorithms: ["RS256"], codeChallengeMethods: ["S256"])
        let settings = Settings(
            publicOrigin: Origin("https://app.example.com")!,
            session: SessionSettings(secrets: [Self.secret]),
            providers: [ProviderSettings(name: RealisticSession.provider, issuer: RealisticSession.issuer, clientID: RealisticSession.clientID,
                                         clientSecret: "client-secret-of-the-micro-benchmark", scopes: ["openid", "email", "profile"],
                                         userClaim: "preferred_username", staticMetadata: metadata)],
            // As the README's example configuration, and the groups too.
            headers: HeaderSettings(claimHeaders: [("X-Remote-Email", "email"), ("X-Remote-Name", "name"), ("X-Remote-Groups", "groups")]))
        var logger = Logger(label: "micro-bench")
        logger.logLevel = .critical
        context = RelyingPartyContext(settings: settings, store: store, http: transport, clock: FixedClock(seconds: RealisticSession.now),
                                      random: SystemRandomSource(), logger: logger)
        responder = Responder(context: context)
        // As the server does at start-up: the logins find the metadata loaded.
        context.providers.prefetch(settings.providers)
        do {
            sessionCookie = try context.sessions.create(RealisticSession.record).cookieValue
        } catch {
            fatalError("the session could not be created: \(error)")
        }
    }

    /// `carryingLogin`: from the shipped include files, whose auth location lets
    /// a 401 carry the login redirect (`OIDC_LOGIN_IN_AUTH_ANSWER on`).
    func authRequest(withSession: Bool, carryingLogin: Bool = false) -> Request {
        var params = AuthSubrequest.params(cookie: AuthSubrequest.cookieHeader(session: withSession ? sessionCookie : nil))
        if carryingLogin { params["OIDC_LOGIN_IN_AUTH_ANSWER"] = "on" }
        return Request(params: params)
    }
}
