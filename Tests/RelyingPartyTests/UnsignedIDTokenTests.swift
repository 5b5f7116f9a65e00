import Foundation
import Testing
import JOSE
import RelyingParty

/// An unsigned (`alg: none`) token with `claims`: header, payload, empty signature.
private func unsignedToken(_ claims: [String: Any]) -> String {
    let header = Base64URL.encode(Array("{\"alg\":\"none\"}".utf8))
    let payload = Base64URL.encode(Array(try! JSONSerialization.data(withJSONObject: claims)))
    return "\(header).\(payload)."
}

private let now: Int64 = 1_800_000_000
private var goodClaims: [String: Any] { ["iss": "https://idp.example", "aud": "client-1", "sub": "alice", "nonce": "n-1",
                                         "iat": now, "exp": now + 300] }

private func expectations(_ unsigned: UnsignedIDTokens) -> IDTokenExpectations {
    IDTokenExpectations(issuer: "https://idp.example", clientID: "client-1", nonce: "n-1", now: now, unsignedTokens: unsigned)
}

private func validate(_ token: String, _ unsigned: UnsignedIDTokens) throws(IDTokenError) -> IDTokenClaims {
    try IDTokenValidator().validate(token, keys: .symmetric(secret: []), clientSecret: nil, expecting: expectations(unsigned))
}

@Suite struct UnsignedIDTokenTests {
    @Test func refusedByDefault() {
        #expect(throws: IDTokenError.signature(.unsupportedAlgorithm("none"))) { try validate(unsignedToken(goodClaims), .refused) }
    }

    @Test func refusedOverPlainHTTPEvenWhenListed() {
        #expect(throws: IDTokenError.unsignedOverPlainHTTP) { try validate(unsignedToken(goodClaims), .listedButNotHTTPS) }
    }

    @Test func acceptedWhenListedAndFromAnHTTPSTokenEndpoint() throws {
        let claims = try validate(unsignedToken(goodClaims), .accepted)
        #expect(claims.subject == "alice")
    }

    @Test func theClaimsAreStillChecked() {
        var wrongNonce = goodClaims
        wrongNonce["nonce"] = "other"
        #expect(throws: IDTokenError.nonceMismatch) { try validate(unsignedToken(wrongNonce), .accepted) }
        var otherAudience = goodClaims
        otherAudience["aud"] = "another-client"
        #expect(throws: IDTokenError.wrongAudience) { try validate(unsignedToken(otherAudience), .accepted) }
        var expired = goodClaims
        expired["exp"] = now - 3600
        #expect(throws: IDTokenError.expired) { try validate(unsignedToken(expired), .accepted) }
    }

    @Test func aNoneTokenWithASignaturePartIsMalformed() {
        #expect(throws: IDTokenError.self) { try validate(unsignedToken(goodClaims) + "c2ln", .accepted) }
    }

    @Test func thePolicyFollowsTheListAndTheTokenEndpointScheme() {
        #expect(UnsignedIDTokens.policy(listed: false, tokenEndpoint: "https://idp.example/token") == .refused)
        #expect(UnsignedIDTokens.policy(listed: true, tokenEndpoint: "https://idp.example/token") == .accepted)
        #expect(UnsignedIDTokens.policy(listed: true, tokenEndpoint: "HTTPS://idp.example/token") == .accepted)
        #expect(UnsignedIDTokens.policy(listed: true, tokenEndpoint: "http://idp.example/token") == .listedButNotHTTPS)
    }
}

/// The fake provider answering with unsigned ID tokens; `plainHTTP`: its discovery
/// names an http token endpoint (served all the same).
private final class UnsignedTokenProvider: HTTPTransport {
    let inner: FakeProvider
    let plainHTTP: Bool
    init(_ inner: FakeProvider, plainHTTP: Bool) {
        self.inner = inner
        self.plainHTTP = plainHTTP
    }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        var request = request
        let httpTokenEndpoint = "http://idp.example/token"
        if request.url == httpTokenEndpoint { request.url = inner.issuer + "/token" }
        var response = try inner.perform(request)
        if request.url == inner.issuer + "/.well-known/openid-configuration", plainHTTP {
            response.body = Array(String(decoding: response.body, as: UTF8.self)
                .replacingOccurrences(of: "\"\(inner.issuer)/token\"", with: "\"\(httpTokenEndpoint)\"").utf8)
        }
        if request.url == inner.issuer + "/token",
           var answer = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
           let signed = answer["id_token"] as? String {
            let payload = signed.split(separator: ".")[1]
            answer["id_token"] = Base64URL.encode(Array("{\"alg\":\"none\"}".utf8)) + "." + payload + "."
            response.body = Array(try! JSONSerialization.data(withJSONObject: answer))
        }
        return response
    }
}

@Suite struct UnsignedIDTokenFlowTests {
    private func login(listed: Bool, plainHTTP: Bool) -> Response {
        let flow = FlowHarness(transport: { UnsignedTokenProvider($0, plainHTTP: plainHTTP) },
                               configureProvider: { $0.acceptsUnsignedIDTokens = listed })
        return flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin())))
    }

    @Test func notListedTheLoginIsRefused() {
        #expect(login(listed: false, plainHTTP: false).status == 401)
    }

    @Test func listedTheLoginWorksFromAnHTTPSTokenEndpoint() {
        let response = login(listed: true, plainHTTP: false)
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://app.example.com/reports?year=2026")
    }

    @Test func listedTheLoginIsStillRefusedFromAPlainHTTPTokenEndpoint() {
        #expect(login(listed: true, plainHTTP: true).status == 401)
    }
}
