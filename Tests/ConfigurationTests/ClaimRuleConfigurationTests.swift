import Configuration
import RelyingParty
import Testing

/// `rules:` — named claim rule sets, compiled when the configuration is read.
@Suite struct ClaimRuleConfigurationTests {
    private func load(_ rules: String) throws(ConfigurationError) -> ServiceConfiguration {
        try ConfigurationLoader.parse(yaml: rules + "\n" + minimalYAML)
    }

    @Test func namedRuleSetsAreCompiledAndUsable() throws {
        let yaml = """
        rules:
          admins: "groups:admins email_verified:true"
          operators: any(@admins groups:ops)
        """
        let book = try load(yaml).settings.claimRules
        #expect(book.ruleSetNames == ["admins", "operators"])
        let rule = try #require(try book.rule(for: "@operators"))
        #expect(rule.evaluate(["groups": .array([.string("ops")])]) == nil)
        #expect(rule.evaluate(["groups": .array([.string("guests")])]) != nil)
    }

    @Test func withoutRulesNoRuleSetExists() throws {
        let book = try ConfigurationLoader.parse(yaml: minimalYAML).settings.claimRules
        #expect(book.ruleSetNames.isEmpty)
        #expect(throws: ClaimRuleError.unknownRuleSet("admins")) { _ = try book.rule(for: "@admins") }
    }

    @Test(arguments: [
        ("rules: {admins: \"groups:admins any(\"}", "rules.admins", "without its closing )"),
        ("rules: {mail: \"email~(a)\\\\1\"}", "rules.mail", "back-reference"),
        ("rules: {a: \"@b\"}", "rules.a", "@b"),
        ("rules: {a: \"@b\", b: \"@a\"}", "rules.b", "uses itself"),
        ("rules: {\"bad name\": \"groups:x\"}", "rules.bad name", "rule set name"),
        ("rules: {a: [groups, admins]}", "rules.a", "single value"),
        ("rules: groups:admins", "rules", "mapping"),
    ])
    func mistakesNameTheRuleSetAndTheProblem(yaml: String, path: String, says: String) {
        let error = configurationError { () throws(ConfigurationError) in try load(yaml) }
        let problem = error?.problems.first { $0.path == path }
        #expect(problem != nil, "\(String(describing: error))")
        #expect(problem?.message.contains(says) == true, "\(String(describing: problem))")
    }
}
