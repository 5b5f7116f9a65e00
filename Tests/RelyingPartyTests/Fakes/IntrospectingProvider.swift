import Foundation
import RelyingParty
import Synchronization

/// A provider with an introspection endpoint (RFC 7662) answering from a table of
/// tokens, a swappable JWKS, and counters; introspection calls can be held (a slow
/// provider) to test single flight.
final class IntrospectingProvider: HTTPTransport {
    let issuer: String
    var discoveryURL: String { issuer + "/.well-known/openid-configuration" }
    var jwksURL: String { issuer + "/jwks" }
    var introspectionURL: String { issuer + "/introspect" }
    let hold = Hold()

    private struct State {
        var jwks: [UInt8] = Array("{\"keys\":[]}".utf8)
        var answers: [String: [String: JSONValue]] = [:]
        var introspections = 0
        var jwksFetches = 0
        var lastIntrospection: OutboundRequest?
        var failing = false
        var publishesIntrospection = true
    }
    private let state = Mutex<State>(State())

    init(issuer: String = "https://idp.example") { self.issuer = issuer }

    var jwks: [UInt8] {
        get { state.withLock { $0.jwks } }
        set { state.withLock { $0.jwks = newValue } }
    }
    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }
    var publishesIntrospection: Bool {
        get { state.withLock { $0.publishesIntrospection } }
        set { state.withLock { $0.publishesIntrospection = newValue } }
    }
    var introspections: Int { state.withLock { $0.introspections } }
    var jwksFetches: Int { state.withLock { $0.jwksFetches } }
    var lastIntrospection: OutboundRequest? { state.withLock { $0.lastIntrospection } }

    /// What introspection answers for `token` from now on (unknown tokens: `{"active":false}`).
    func answer(_ token: String, _ claims: [String: JSONValue]) { state.withLock { $0.answers[token] = claims } }
    func revoke(_ token: String) { state.withLock { $0.answers[token] = ["active": .bool(false)] } }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        if failing { throw .unreachable(url: request.url, reason: "connection refused") }
        switch request.url {
        case discoveryURL:
            let introspection = publishesIntrospection ? ",\"introspection_endpoint\":\"\(introspectionURL)\"" : ""
            return InboundResponse(status: 200, body: Array("""
            {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/authorize","token_endpoint":"\(issuer)/token","jwks_uri":"\(jwksURL)"\(introspection)}
            """.utf8))
        case jwksURL:
            return state.withLock { s in
                s.jwksFetches += 1
                return InboundResponse(status: 200, body: s.jwks)
            }
        case introspectionURL:
            state.withLock { s in
                s.introspections += 1
                s.lastIntrospection = request
            }
            hold.passOrWait()
            let form = FormEncoding.decode(String(decoding: request.body, as: UTF8.self))
            let token = FormEncoding.single("token", in: form) ?? ""
            let claims = state.withLock { $0.answers[token] } ?? ["active": .bool(false)]
            return InboundResponse(status: 200, body: Array(try! JSONEncoder().encode(JSONValue.object(claims))))
        default:
            return InboundResponse(status: 404, body: [])
        }
    }
}
