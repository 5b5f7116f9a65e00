import Testing
import Configuration
import RelyingParty

/// `providers[].max_age` and `providers[].acr_values`.
@Suite struct StepUpConfigurationTests {
    private let base = """
    listen: tcp:127.0.0.1:9000
    public_url: https://app.example.com
    session:
      secrets: ["0123456789abcdef0123456789abcdef-first"]
    providers:
      - name: corp
        issuer: https://idp.example.com
        client_id: app
        client_secret: s3cret
    """

    private func paths(_ yaml: String) -> [String] {
        do { _ = try ConfigurationLoader.parse(yaml: yaml); return [] } catch { return error.problems.map(\.path) }
    }

    @Test func maxAgeAndAcrValuesAreRead() throws {
        let config = try ConfigurationLoader.parse(yaml: base + "\n    max_age: 1h\n    acr_values: [urn:mfa, urn:hwk]\n")
        #expect(config.settings.providers[0].maxAge == 3600)
        #expect(config.settings.providers[0].acrValues == ["urn:mfa", "urn:hwk"])
        let spaced = try ConfigurationLoader.parse(yaml: base + "\n    max_age: 0\n    acr_values: \"urn:mfa urn:hwk\"\n")
        #expect(spaced.settings.providers[0].maxAge == 0)
        #expect(spaced.settings.providers[0].acrValues == ["urn:mfa", "urn:hwk"])
        let plain = try ConfigurationLoader.parse(yaml: base)
        #expect(plain.settings.providers[0].maxAge == nil && plain.settings.providers[0].acrValues.isEmpty)
    }

    @Test func theyAreNotAuthParameters() {
        #expect(paths(base + "\n    auth_params:\n      max_age: 0\n") == ["providers[0].auth_params.max_age"])
        #expect(paths(base + "\n    auth_params:\n      acr_values: urn:mfa\n") == ["providers[0].auth_params.acr_values"])
        #expect(paths(base + "\n    max_age: soon\n") == ["providers[0].max_age"])
    }
}
