import Foundation
import Logging
import Testing
import JOSE
import RelyingParty

private let tokenEndpoint = "https://idp.example/token"

private func metadata(advertising methods: [String]? = nil) -> ProviderMetadata {
    ProviderMetadata(issuer: "https://idp.example", authorizationEndpoint: "https://idp.example/authorize", tokenEndpoint: tokenEndpoint,
                     jwksURI: "https://idp.example/jwks", tokenEndpointAuthMethods: methods)
}

private let secret = "client-secret-that-is-long-enough-000"

private func provider(_ method: ProviderSettings.ClientAuthentication? = nil, secret: String = secret,
                      key: ClientSigningKey? = nil) -> ProviderSettings {
    ProviderSettings(name: "corp", issuer: "https://idp.example", clientID: "client-1", clientSecret: secret,
                     clientAuthentication: method, clientSigningKey: key)
}

/// The EC and RSA keys of Tests/fixtures/make_client_key_fixtures.py.
private func fixtureKey(_ name: String, algorithm: JWSAlgorithm? = nil) throws -> ClientSigningKey {
    let url = Bundle.module.url(forResource: "client_keys", withExtension: "json", subdirectory: "Fixtures")!
    let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    return try ClientSigningKey(document: Array((root[name] as! String).utf8), algorithm: algorithm)
}

private func form(_ request: OutboundRequest) -> [(name: String, value: String)] {
    FormEncoding.decode(String(decoding: request.body, as: UTF8.self))
}

private func decoded(_ compact: String) -> (header: [String: Any], claims: [String: Any]) {
    let parts = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    let header = try! JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[0])!)) as! [String: Any]
    let claims = try! JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[1])!)) as! [String: Any]
    return (header, claims)
}

@Suite struct ClientAssertionTests {
    let clock = FakeClock(1_800_000_000)

    @Test func claimsNameTheClientAndTheTokenEndpointForAMinute() throws {
        let assertion = try ClientAssertion.make(clientID: "client-1", audience: tokenEndpoint, key: .secret(secret, .hs256),
                                                 now: clock.now(), random: SystemRandomSource())
        let (header, claims) = decoded(assertion)
        #expect(header["alg"] as? String == "HS256")
        #expect(header["kid"] == nil)
        #expect(claims["iss"] as? String == "client-1")
        #expect(claims["sub"] as? String == "client-1")
        #expect(claims["aud"] as? String == tokenEndpoint)
        #expect(claims["iat"] as? Int64 == clock.now())
        #expect(claims["exp"] as? Int64 == clock.now() + 60)
        #expect(((claims["jti"] as? String)?.count ?? 0) >= 22, "128 random bits")
        // Verifies with the client secret, as the provider checks it.
        #expect((try? JWSVerifier.verify(compact: assertion, keys: .symmetric(secret: Array(secret.utf8)), allowedAlgorithms: [.hs256])) != nil)
    }

    @Test func everyAssertionHasItsOwnJti() throws {
        var seen: Set<String> = []
        for _ in 0..<200 {
            let assertion = try ClientAssertion.make(clientID: "client-1", audience: tokenEndpoint, key: .secret(secret, .hs256),
                                                     now: clock.now(), random: SystemRandomSource())
            seen.insert(decoded(assertion).claims["jti"] as! String)
        }
        #expect(seen.count == 200)
    }

    @Test(arguments: [("ec_sec1", JWSAlgorithm.es256), ("rsa_pkcs8", .rs256), ("rsa_pkcs8", .ps256)])
    func privateKeyAssertionsNameTheKeyAndVerifyWithItsPublicHalf(_ name: String, _ algorithm: JWSAlgorithm) throws {
        let key = try fixtureKey(name, algorithm: algorithm)
        let assertion = try ClientAssertion.make(clientID: "client-1", audience: tokenEndpoint, key: .privateKey(key),
                                                 now: clock.now(), random: SystemRandomSource())
        let (header, claims) = decoded(assertion)
        #expect(header["alg"] as? String == algorithm.rawValue)
        #expect(header["kid"] as? String == key.keyID)
        #expect(claims["exp"] as? Int64 == clock.now() + ClientAssertion.lifetimeSeconds)
        let published = try JWKSet(json: Array(ClientSigningKey.publicKeySet([key]).utf8))
        #expect((try? JWSVerifier.verify(compact: assertion, keys: published, allowedAlgorithms: [algorithm])) != nil)
    }
}

@Suite struct ClientAuthenticationTests {
    @Test func theConfiguredMethodWins() {
        #expect(provider(.clientSecretPost).clientAuthentication(advertised: ["client_secret_jwt"]) == .clientSecretPost)
    }

    @Test func otherwiseTheFirstAdvertisedMethodTheCredentialsAllow() throws {
        #expect(provider().clientAuthentication(advertised: ["private_key_jwt", "client_secret_jwt", "client_secret_basic"]) == .clientSecretJWT)
        #expect(provider().clientAuthentication(advertised: ["none", "client_secret_post"]) == .clientSecretPost)
        let keyOnly = provider(secret: "", key: try fixtureKey("ec_sec1"))
        #expect(keyOnly.clientAuthentication(advertised: ["client_secret_basic", "private_key_jwt"]) == .privateKeyJWT)
        #expect(keyOnly.clientAuthentication(advertised: nil) == .privateKeyJWT)
    }

    @Test func withoutAnAdvertisedMatchItIsClientSecretBasic() {
        #expect(provider().clientAuthentication(advertised: nil) == .clientSecretBasic)
        #expect(provider().clientAuthentication(advertised: ["tls_client_auth"]) == .clientSecretBasic)
    }

    @Test func basicSendsTheSecretInTheHeaderOnly() throws {
        let request = try ClientAuthentication(provider: provider(.clientSecretBasic), metadata: metadata()).formPost(to: tokenEndpoint, form: [("a", "b")])
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value.hasPrefix("Basic ") })
        #expect(FormEncoding.single("client_secret", in: form(request)) == nil)
    }

    @Test func postSendsTheSecretInTheForm() throws {
        let request = try ClientAuthentication(provider: provider(.clientSecretPost), metadata: metadata()).formPost(to: tokenEndpoint, form: [])
        #expect(FormEncoding.single("client_secret", in: form(request)) == secret)
        #expect(!request.headers.contains { $0.name == "Authorization" })
    }

    @Test(arguments: [ProviderSettings.ClientAuthentication.clientSecretJWT, .privateKeyJWT])
    func assertionMethodsSendAnAssertionAndNoSecret(_ method: ProviderSettings.ClientAuthentication) throws {
        let settings = provider(method, key: try fixtureKey("ec_sec1"))
        // The assertion's audience is the token endpoint even for introspection.
        let request = try ClientAuthentication(provider: settings, metadata: metadata()).formPost(to: "https://idp.example/introspect", form: [])
        let fields = form(request)
        #expect(FormEncoding.single("client_assertion_type", in: fields) == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        #expect(FormEncoding.single("client_id", in: fields) == "client-1")
        #expect(FormEncoding.single("client_secret", in: fields) == nil)
        #expect(!request.headers.contains { $0.name == "Authorization" })
        let assertion = try #require(FormEncoding.single("client_assertion", in: fields))
        #expect(decoded(assertion).claims["aud"] as? String == tokenEndpoint)
        #expect(decoded(assertion).header["alg"] as? String == (method == .privateKeyJWT ? "ES256" : "HS256"))
        #expect(!String(decoding: request.body, as: UTF8.self).contains(secret))
    }

    @Test func noneSendsTheClientIDAlone() throws {
        let request = try ClientAuthentication(provider: provider(.publicClient, secret: ""), metadata: metadata()).formPost(to: tokenEndpoint, form: [("code", "c")])
        #expect(form(request).map(\.name) == ["code", "client_id"])
        #expect(!request.headers.contains { $0.name == "Authorization" })
    }

    @Test(arguments: [(401, "invalid_client"), (400, "invalid_client"), (401, "unauthorized")])
    func aRefusedClientIsReportedWithItsMethod(_ status: Int, _ code: String) {
        let refusing = RefusingTokenEndpoint(status: status, error: code)
        do {
            _ = try TokenEndpointClient(http: refusing).exchange(code: "c", codeVerifier: "v", redirectURI: "https://app/cb",
                                                                 provider: provider(.clientSecretJWT), metadata: metadata())
            Issue.record("expected a refusal")
        } catch {
            guard case .clientAuthenticationRefused(let method, let answered, _) = error else { Issue.record("got \(error)"); return }
            #expect(method == .clientSecretJWT)
            #expect(answered == status)
            #expect(error.description.contains("the provider refused the client authentication (client_secret_jwt)"))
            #expect(!error.description.contains(secret))
        }
    }

    @Test func otherRefusalsStayGrantErrors() {
        let refusing = RefusingTokenEndpoint(status: 400, error: "invalid_grant")
        #expect(throws: TokenEndpointClient.Failure.refused(status: 400, error: "invalid_grant", description: "no")) {
            try TokenEndpointClient(http: refusing).exchange(code: "c", codeVerifier: "v", redirectURI: "https://app/cb",
                                                             provider: provider(), metadata: metadata())
        }
    }

    @Test func introspectionNamesTheRefusedMethod() {
        let refusing = RefusingTokenEndpoint(status: 401, error: "invalid_client")
        let expected = AccessTokenExpectations(issuer: "https://idp.example", audiences: ["client-1"], allowedAlgorithms: [.rs256],
                                               requireTyp: false, clockSkewSeconds: 0, now: 1_800_000_000, keepClaims: nil)
        #expect(throws: AccessTokenError.introspectionFailed("the provider refused the client authentication (client_secret_post): check client_id and client_secret (or client_secret_file) against the client registered at the provider (introspection endpoint, HTTP 401)")) {
            try IntrospectionClient(http: refusing).introspect("tok", endpoint: "https://idp.example/introspect", provider: provider(.clientSecretPost),
                                                               metadata: metadata(), expecting: expected)
        }
    }
}

/// A provider endpoint that refuses every call with one OAuth error.
private struct RefusingTokenEndpoint: HTTPTransport {
    let status: Int
    let error: String
    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        InboundResponse(status: status, body: Array("{\"error\":\"\(error)\",\"error_description\":\"no\"}".utf8))
    }
}

/// The fake provider behind a wrapper: its token endpoint refuses the client.
private final class ClientRefusingProvider: HTTPTransport {
    let inner: FakeProvider
    init(_ inner: FakeProvider) { self.inner = inner }
    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        guard request.url == inner.issuer + "/token" else { return try inner.perform(request) }
        return InboundResponse(status: 401, body: Array("{\"error\":\"invalid_client\",\"error_description\":\"bad client\"}".utf8))
    }
}

@Suite struct ClientAuthenticationFlowTests {
    @Test func aRefusedClientGetsAPageNamingTheMethod() {
        let flow = FlowHarness(transport: { ClientRefusingProvider($0) }, configureProvider: { $0.clientAuthentication = .clientSecretJWT })
        let response = flow.send(flow.request("callback", uri: flow.callbackURI(for: flow.startLogin())))
        #expect(response.status == 500)
        let page = String(decoding: response.body, as: UTF8.self)
        #expect(page.contains("refused this site&#39;s client authentication (client_secret_jwt)") || page.contains("refused this site's client authentication (client_secret_jwt)"), "\(page)")
        #expect(!page.contains("could not complete the login"))
        #expect(flow.jar.cookies["oidc_session"] == nil)
    }
}
