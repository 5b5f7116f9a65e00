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
            guard let code = FormEncoding.single("code", in: form), let grant = state.withLock({ $0.codes.removeValue(forKey: code) }) else {
                return InboundResponse(status: 400, body: Array("{\"error\":\"invalid_grant\"}".utf8))
            }
            let token = idToken(nonce: grant.nonce, subject: state.withLock { $0.subject })
            return json("{\"id_token\":\"\(token)\",\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":300}")
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

    func idToken(nonce: String, subject: String = "alice") -> String {
        let now = clock.now()
        let header = Base64URL.encode(Array("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".utf8))
        let payload = Base64URL.encode(Array("""
        {"iss":"\(issuer)","sub":"\(subject)","aud":"\(clientID)","exp":\(now + 300),"iat":\(now),"nonce":"\(nonce)","sid":"\(state.withLock { $0.sessionID })"}
        """.utf8))
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
