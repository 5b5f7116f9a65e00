import Configuration
import Testing

/// YAML merge keys (`<<: *anchor`) work as in the YAML merge type: merged
/// keys are read and checked like written ones, written keys win.
@Suite struct MergeKeyTests {
    private let shared = """
    x-provider-defaults: &defaults
      issuer: https://idp.example.com
      client_secret: s3cret
      scopes: [openid, email]
    public_url: https://app.example.com
    session:
      secrets: ["0123456789abcdef0123456789abcdef-first"]

    """

    @Test func providersShareDefaultsThroughAMergeKey() throws {
        let config = try ConfigurationLoader.parse(yaml: shared + """
        providers:
          - <<: *defaults
            name: corp
            client_id: app
          - <<: *defaults
            name: partner
            client_id: partner-app
            scopes: [openid, profile]
        """)
        let providers = config.settings.providers
        #expect(providers.map(\.name) == ["corp", "partner"])
        #expect(providers.map(\.issuer) == ["https://idp.example.com", "https://idp.example.com"])
        #expect(providers.map(\.clientID) == ["app", "partner-app"])
        #expect(providers[0].scopes == ["openid", "email"])
        #expect(providers[1].scopes == ["openid", "profile"], "a key written next to the merge key wins")
    }

    @Test func listOfMergesPrefersTheEarlierMapping() throws {
        let config = try ConfigurationLoader.parse(yaml: shared + """
        x-other: &other
          issuer: https://other.example.com
          client_id: other
        providers:
          - <<: [*other, *defaults]
            name: corp
        """)
        #expect(config.settings.providers[0].issuer == "https://other.example.com")
        #expect(config.settings.providers[0].clientID == "other")
    }

    @Test func anchorsMayMergeAnchors() throws {
        let config = try ConfigurationLoader.parse(yaml: shared + """
        x-corp: &corp
          <<: *defaults
          client_id: app
        providers:
          - <<: *corp
            name: corp
        """)
        #expect(config.settings.providers[0].clientID == "app")
        #expect(config.settings.providers[0].issuer == "https://idp.example.com")
    }

    @Test func mistakesInMergedKeysAreReportedWhereTheyAreUsed() throws {
        let yaml = """
        x-provider-defaults: &defaults
          issuer: https://idp.example.com
          client_secret: s3cret
          clientid: typo
        public_url: https://app.example.com
        session:
          secrets: ["0123456789abcdef0123456789abcdef-first"]
        providers:
          - <<: *defaults
            client_id: app
        """
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(yaml: yaml) })
        #expect(error.problems.map(\.path) == ["providers[0].clientid"])
    }

    @Test func mergeOfAScalarIsAClearError() throws {
        let error = try #require(configurationError { () throws(ConfigurationError) in
            try ConfigurationLoader.parse(yaml: minimalYAML + "\n    <<: not-a-mapping\n")
        })
        #expect(error.problems.map(\.description) == ["providers[0].<<: a merge key must name a mapping (<<: *anchor) or a list of them (<<: [*a, *b])"])
    }

    @Test func exponentialMergesAreCutShort() throws {
        // Each level merges the previous one ten times: 10^8 merged keys if expanded.
        var yaml = "x-0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"
        for level in 1...8 {
            let previous = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "x-\(level): &l\(level) {<<: [\(previous)], k\(level): 1}\n"
        }
        yaml += minimalYAML + "\nhttp:\n  <<: *l8\n"
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(yaml: yaml) })
        #expect(error.problems.contains { $0.message == "merge keys (<<) bring in more than 10000 settings; the file is refused" })
    }

    @Test func onlyTopLevelXKeysAreIgnored() {
        #expect(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(yaml: "x-notes: anything\n" + minimalYAML) } == nil)
        let error = configurationError { () throws(ConfigurationError) in
            try ConfigurationLoader.parse(yaml: minimalYAML.replacingOccurrences(of: "session:\n", with: "session:\n  x-notes: no\n"))
        }
        #expect(error?.problems.map(\.path) == ["session.x-notes"])
    }
}
