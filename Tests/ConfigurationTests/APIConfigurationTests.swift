import Configuration
import JOSE
import RelyingParty
import Testing

@Suite struct APIConfigurationTests {
    private func load(_ extra: String, top: String = "") throws(ConfigurationError) -> ServiceConfiguration {
        try ConfigurationLoader.parse(yaml: top + minimalYAML + extra)
    }

    @Test func defaultsWithoutAnAPIBlock() throws {
        let service = try load("")
        let provider = service.settings.providers[0]
        #expect(provider.api.validation == nil)
        #expect(provider.acceptedAudiences == ["app"])
        #expect(provider.api.requireTyp == false)
        #expect(provider.api.maxTokenBytes == 8192)
        #expect(provider.api.cacheMaxSeconds == 300)
        #expect(provider.api.cacheInactiveSeconds == 30)
        #expect(provider.accessTokenAlgorithms == ProviderSettings.defaultAlgorithms)
        #expect(service.settings.api.realm == "oidc-fcgi")
        #expect(service.settings.api.flightWaitMilliseconds == 5000)
        #expect(service.settings.headers.clientIDHeader.text == "X-Remote-Client-Id")
        #expect(service.settings.headers.scopeHeader.text == "X-Remote-Scope")
    }

    @Test func everyKeyIsRead() throws {
        let service = try load("""

            api:
              validation: introspection
              audiences: ["https://api.example.com", app]
              require_typ: true
              signing_algs: [ES256, RS256]
              max_token_bytes: 4096
              cache_max: 2s
              cache_inactive: 5s
            metadata:
              authorization_endpoint: https://idp.example.com/auth
              token_endpoint: https://idp.example.com/token
              jwks_uri: https://idp.example.com/jwks
              introspection_endpoint: https://idp.example.com/introspect
        """.replacingOccurrences(of: "\n    ", with: "\n    "), top: "api: { realm: orders-api }\nhttp: { timeout: 3s }\nheaders: { client_id: X-Client, scope: X-Scopes }\n")
        let provider = service.settings.providers[0]
        #expect(provider.api.validation == .introspection)
        #expect(provider.acceptedAudiences == ["https://api.example.com", "app"])
        #expect(provider.api.requireTyp)
        #expect(provider.accessTokenAlgorithms == [.es256, .rs256])
        #expect(provider.api.maxTokenBytes == 4096)
        #expect(provider.api.cacheMaxSeconds == 2)
        #expect(provider.api.cacheInactiveSeconds == 5)
        #expect(provider.staticMetadata?.introspectionEndpoint == "https://idp.example.com/introspect")
        #expect(service.settings.api.realm == "orders-api")
        #expect(service.settings.api.flightWaitMilliseconds == 3000)
        #expect(service.settings.headers.clientIDHeader.text == "X-Client")
        #expect(service.settings.headers.scopeHeader.text == "X-Scopes")
    }

    @Test(arguments: [
        ("validation: opaque", "providers[0].api.validation"),
        ("signing_algs: [none]", "providers[0].api.signing_algs[0]"),
        ("signing_algs: [HS256]", "providers[0].api.signing_algs[0]"),
        ("audiences: []", "providers[0].api.audiences"),
        ("max_token_bytes: 10", "providers[0].api.max_token_bytes"),
        ("cache_max: 0s", "providers[0].api.cache_max"),
        ("unknown_key: 1", "providers[0].api.unknown_key"),
    ])
    func badValuesAreReportedUnderTheirKey(_ line: String, _ path: String) {
        let error = configurationError { () throws(ConfigurationError) in try load("\n    api:\n      \(line)\n") }
        #expect(error?.problems.contains { $0.path == path } == true, "\(String(describing: error))")
    }

    @Test func aRealmThatWouldBreakTheChallengeIsRefused() {
        let error = configurationError { () throws(ConfigurationError) in try load("", top: "api: { realm: 'a\"b' }\n") }
        #expect(error?.problems.contains { $0.path == "api.realm" } == true, "\(String(describing: error))")
    }
}
