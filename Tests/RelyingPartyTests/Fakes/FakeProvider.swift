import Foundation
import JOSE
import RelyingParty
import Synchronization

/// An identity provider answering HTTPTransport calls from memory: discovery,
/// JWKS, token and userinfo. Its ID tokens are HS256 with the client secret,
/// built from the JOSE primitives (the code under test here is the handler flow,
/// not the signature check, which has its own tests with externally signed tokens).
final class FakeProvider: HTTPTransport {
    let issuer = "https://idp.example"
    let clientID = "client-1"
    let clientSecret = "client-secret-that-is-long-enough-000"
    private let state = Mutex<State>(State())
    private let clock: FakeClock

    struct State {
        var codes: [String: (nonce: String, verifier: String?)] = [:]
        var lastTokenRequest: OutboundRequest?
        var down = false
        var userinfoSubject: String?
        var sessionID = "sid-1"
        var subject = "alice"
        var claims: [String: JSONValue] = ["email": .string("alice@example.com"), "name": .string("Alice Ünïcode")]
        /// Refresh grant: the refresh tokens it accepts, how many it answered, whether it rotates them.
        var validRefreshTokens: Set<String> = []
        var refreshCalls = 0
        var issuedTokens = 0
        var rotatesRefreshTokens = false
        var issuesRefreshTokens = true
        var accessTokenLifetime: Int64 = 300
        var refreshAnswersServerError = false
        /// Claims the next ID tokens carry besides the protocol ones (`auth_time`, `acr`…).
        var idTokenClaims: [String: JSONValue] = [:]
    }

    init(clock: FakeClock) { self.clock = clock }

    var down: Bool {
        get { state.withLock { $0.down } }
        set { state.withLock { $0.down = newValue } }
    }
    var lastTokenRequest: OutboundRequest? { state.withLock { $0.lastTokenRequest } }
    func setUserinfoSubject(_ subject: String) { state.withLock { $0.userinfoSubject = subject } }
    /// The user who logs in next (ID token and userinfo `sub`).
    func setSubject(_ subject: String) { state.withLock { $0.subject = subject; $0.userinfoSubject = subject } }
    /// The `sid` the next ID tokens carry: a new provider session.
    func setSessionID(_ sid: String) { state.withLock { $0.sessionID = sid } }
    func setClaim(_ name: String, _ value: JSONValue) { state.withLock { $0.claims[name] = value } }
    /// A claim of the next ID tokens only (`.null` removes it), e.g. `auth_time` or `acr`.
    func setIDTokenClaim(_ name: String, _ value: JSONValue) {
        state.withLock { if value == .null { $0.idTokenClaims.removeValue(forKey: name) } else { $0.idTokenClaims[name] = value } }
    }
    /// Token requests of the refresh token grant answered (refused ones too).
    var refreshCalls: Int { state.withLock { $0.refreshCalls } }
    /// Each refresh answer carries a new refresh token, and the old one stops working.
    func rotateRefreshTokens() { state.withLock { $0.rotatesRefreshTokens = true } }
    /// The code exchange gives no refresh token.
    func issueNoRefreshTokens() { state.withLock { $0.issuesRefreshTokens = false } }
    func setAccessTokenLifetime(_ seconds: Int64) { state.withLock { $0.accessTokenLifetime = seconds } }
    /// As RFC 7009 revocation does: no refresh token works any more.
    func revokeRefreshTokens() { state.withLock { $0.validRefreshTokens = [] } }
    /// The refresh grant answers 503 with `server_error`.
    func failRefreshes() { state.withLock { $0.refreshAnswersServerError = true } }

    /// What the provider does when the user logs in: remember the nonce and PKCE challenge, hand out a code.
    func issueCode(nonce: String) -> String {
        let code = "code-\(UUID().uuidString)"
        state.withLock { $0.codes[code] = (nonce, nil) }
        return code
    }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        if down { throw .unreachable(url: request.url, reason: "connection refused") }
        switch request.url {
        case issuer + "/.well-known/openid-configuration":
            return json("""
            {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/authorize","token_endpoint":"\(issuer)/token",
             "userinfo_endpoint":"\(issuer)/userinfo","jwks_uri":"\(issuer)/jwks","end_session_endpoint":"\(issuer)/logout"}
            """)
        case issuer + "/jwks":
            return json("{\"keys\":[]}")
        case issuer + "/token":
            state.withLock { $0.lastTokenRequest = request }
            let form = FormEncoding.decode(String(decoding: request.body, as: UTF8.self))
            if FormEncoding.single("grant_type", in: form) == "refresh_token" { return refresh(form) }
            guard let code = FormEncoding.single("code", in: form), let grant = state.withLock({ $0.codes.removeValue(forKey: code) }) else {
                return InboundResponse(status: 400, body: Array("{\"error\":\"invalid_grant\"}".utf8))
            }
            let token = idToken(nonce: grant.nonce, subject: state.withLock { $0.subject })
            let (lifetime, refreshToken) = state.withLock { state -> (Int64, String?) in
                state.issuedTokens += 1
                guard state.issuesRefreshTokens else { return (state.accessTokenLifetime, nil) }
                let refreshToken = "rt-\(state.issuedTokens)"
                state.validRefreshTokens.insert(refreshToken)
                return (state.accessTokenLifetime, refreshToken)
            }
            let refreshMember = refreshToken.map { ",\"refresh_token\":\"\($0)\"" } ?? ""
            return json("{\"id_token\":\"\(token)\",\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":\(lifetime)\(refreshMember)}")
        case issuer + "/userinfo":
            let subject = state.withLock { $0.userinfoSubject } ?? "alice"
            var claims = state.withLock { $0.claims }
            claims["sub"] = .string(subject)
            let body = try! JSONEncoder().encode(JSONValue.object(claims))
            return InboundResponse(status: 200, headers: ["content-type": "application/json"], body: Array(body))
        default:
            return InboundResponse(status: 404, body: [])
        }
    }

    /// The refresh token grant: a new access token `at-<n>`, and with rotation a
    /// new refresh token `rt-<n>` that replaces the one used.
    private func refresh(_ form: [(name: String, value: String)]) -> InboundResponse {
        let used = FormEncoding.single("refresh_token", in: form) ?? ""
        let failing = state.withLock { state in
            state.refreshCalls += 1
            return state.refreshAnswersServerError
        }
        if failing { return InboundResponse(status: 503, body: Array("{\"error\":\"server_error\"}".utf8)) }
        let answer = state.withLock { state -> String? in
            guard state.validRefreshTokens.contains(used) else { return nil }
            state.issuedTokens += 1
            var body = "{\"access_token\":\"at-\(state.issuedTokens)\",\"token_type\":\"Bearer\",\"expires_in\":\(state.accessTokenLifetime)"
            if state.rotatesRefreshTokens {
                state.validRefreshTokens.remove(used)
                state.validRefreshTokens.insert("rt-\(state.issuedTokens)")
                body += ",\"refresh_token\":\"rt-\(state.issuedTokens)\""
            }
            return body + "}"
        }
        guard let answer else { return InboundResponse(status: 400, body: Array("{\"error\":\"invalid_grant\"}".utf8)) }
        return json(answer)
    }

    func idToken(nonce: String, subject: String = "alice") -> String {
        let now = clock.now()
        let header = Base64URL.encode(Array("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".utf8))
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "sub": .string(subject), "aud": .string(clientID), "exp": .integer(now + 300), "iat": .integer(now),
            "nonce": .string(nonce), "sid": .string(state.withLock { $0.sessionID }),
        ]
        claims.merge(state.withLock { $0.idTokenClaims }) { $1 }
        let payload = Base64URL.encode(Array(try! JSONEncoder().encode(JSONValue.object(claims))))
        let signature = Base64URL.encode(Digest.sha256.hmac(key: Array(clientSecret.utf8), data: Array("\(header).\(payload)".utf8)))
        return "\(header).\(payload).\(signature)"
    }

    /// A back-channel logout token (HS256 with the client secret); `changes`
    /// replaces claims (`.null` removes one), `header` the JOSE header.
    func logoutToken(sub: String? = "alice", sid: String? = nil, changes: [String: JSONValue] = [:],
                     header: String = #"{"alg":"HS256","typ":"logout+jwt"}"#, key: String? = nil) -> String {
        let now = clock.now()
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "aud": .string(clientID), "iat": .integer(now), "exp": .integer(now + 120),
            "jti": .string(UUID().uuidString),
            "events": .object(["http://schemas.openid.net/event/backchannel-logout": .object([:])]),
        ]
        if let sub { claims["sub"] = .string(sub) }
        if let sid { claims["sid"] = .string(sid) }
        for (name, value) in changes {
            if value == .null { claims.removeValue(forKey: name) } else { claims[name] = value }
        }
        let encodedHeader = Base64URL.encode(Array(header.utf8))
        let payload = Base64URL.encode(Array(try! JSONEncoder().encode(JSONValue.object(claims))))
        let signature = Base64URL.encode(Digest.sha256.hmac(key: Array((key ?? clientSecret).utf8), data: Array("\(encodedHeader).\(payload)".utf8)))
        return "\(encodedHeader).\(payload).\(signature)"
    }

    private func json(_ text: String) -> InboundResponse {
        InboundResponse(status: 200, headers: ["content-type": "application/json"], body: Array(text.utf8))
    }
}
