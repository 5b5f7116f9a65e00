import Foundation
import Testing
@testable import RelyingParty

/// Claim rules: the text a location or the configuration states, parsed once
/// and evaluated against an identity's claims.
@Suite struct ClaimRuleTests {
    private let claims: [String: JSONValue] = [
        "sub": .string("alice"),
        "email": .string("alice@example.com"),
        "email_verified": .bool(true),
        "groups": .array([.string("staff"), .string("admins")]),
        "level": .integer(3),
        "realm_access": .object(["roles": .array([.string("editor")])]),
        "dotted.key": .string("yes"),
        "name": .string("Alice Example"),
    ]

    private func holds(_ text: String, named: [String: String] = [:]) throws -> Bool {
        let book = try ClaimRuleBook(named: named)
        let rule = try #require(try book.rule(for: text))
        return rule.evaluate(claims) == nil
    }

    @Test func equalsComparesTextBooleansAndNumbers() throws {
        #expect(try holds("sub:alice"))
        #expect(try !holds("sub:bob"))
        #expect(try holds("email_verified:true"))
        #expect(try !holds("email_verified:false"))
        #expect(try holds("level:3"))
        #expect(try !holds("level:4"))
        #expect(try !holds("missing:anything"))
        // An object is never equal to a value.
        #expect(try !holds("realm_access:editor"))
    }

    @Test func anArrayClaimHoldsWhenItContainsTheValue() throws {
        #expect(try holds("groups:admins"))
        #expect(try holds("groups:staff"))
        #expect(try !holds("groups:root"))
    }

    @Test func dottedPathsReachNestedClaimsAndQuotedPathsAreOneKey() throws {
        #expect(try holds("realm_access.roles:editor"))
        #expect(try !holds("realm_access.roles:admin"))
        #expect(try !holds("realm_access.missing:editor"))
        #expect(try holds(#""dotted.key":yes"#))
        #expect(try !holds("dotted.key:yes"))
    }

    @Test func quotedValuesMayHoldSpacesQuotesAndParentheses() throws {
        #expect(try holds(#"name:"Alice Example""#))
        #expect(try !holds(#"name:"Alice \"Example\"""#))
        let book = ClaimRuleBook()
        let rule = try #require(try book.rule(for: #"title:"a \"b\" (c) \\ d""#))
        #expect(rule.evaluate(["title": .string(#"a "b" (c) \ d"#)]) == nil)
    }

    @Test func regularExpressionsAreSearchedInTheValueOrAnyElement() throws {
        #expect(try holds(#"email~@example\.com$"#))
        #expect(try !holds(#"email~@example\.org$"#))
        #expect(try holds("groups~^adm"))
        #expect(try !holds("groups~^root"))
        #expect(try holds(#"sub~"^(alice|bob)$""#))
        // A bare pattern keeps its own parentheses, also inside any( ).
        #expect(try holds("any(sub~^(alice|bob)$ groups:root)"))
        #expect(try holds(#"sub~^al\)?ice"#))
        #expect(try holds("level~^[0-9]$"))
        #expect(try holds(#"name~"^\w+ \w+$""#))
        #expect(try !holds("email~^alice$"))
    }

    @Test func spaceSeparatedTermsMustAllHold() throws {
        #expect(try holds("groups:admins email_verified:true"))
        #expect(try !holds("groups:admins email_verified:false"))
        #expect(try !holds("groups:root email_verified:true"))
    }

    @Test func anyAndAllNest() throws {
        #expect(try holds("any(groups:root groups:admins)"))
        #expect(try !holds("any(groups:root groups:ops)"))
        #expect(try holds("all(groups:admins any(level:1 level:3)) email_verified:true"))
        #expect(try !holds("all(groups:admins any(level:1 level:2))"))
        #expect(try holds("any(all(sub:bob groups:admins) all(sub:alice realm_access.roles:editor))"))
    }

    @Test func namedRuleSetsAreUsedByNameAndMayUseEachOther() throws {
        let named = ["staff": "any(groups:staff groups:admins)", "trusted": "@staff email_verified:true"]
        #expect(try holds("@trusted", named: named))
        #expect(try holds("@staff level:3", named: named))
        #expect(try !holds("@trusted groups:root", named: named))
    }

    @Test func theFailedTermIsReportedForTheLog() throws {
        let book = ClaimRuleBook()
        let rule = try #require(try book.rule(for: "email_verified:true groups:root"))
        #expect(rule.evaluate(claims)?.term == "groups:root")
        let any = try #require(try book.rule(for: "any(groups:root sub~^bob)"))
        #expect(any.evaluate(claims)?.term == "any(groups:root sub~^bob)")
    }

    @Test func anEmptyTextIsNoRule() throws {
        let book = ClaimRuleBook()
        #expect(try book.rule(for: "") == nil)
        #expect(try book.rule(for: "   ") == nil)
    }

    @Test(arguments: [
        "groups", "groups admins", ":admins", "groups:admins)", "any(groups:admins", "any()", "all(   )",
        #"name:"unterminated"#, "a..b:c", ".a:c", "@", "email~", "email~(a", "email~a)", "email~[a-",
        "email~*a", "email~a{2,1}", "email~a{1000}", #"email~(a)\1"#, "email~(?=a)", "email~a+?", "email~\\q",
        String(repeating: "any(", count: 20) + "a:b" + String(repeating: ")", count: 20),
        "groups:" + String(repeating: "x", count: 5000),
    ])
    func malformedRulesAreRefusedWithTheirReason(text: String) {
        let book = ClaimRuleBook()
        #expect(throws: ClaimRuleError.self) { _ = try book.rule(for: text) }
    }

    @Test func errorsNameTheRuleTextAndTheProblem() {
        let book = ClaimRuleBook()
        do {
            _ = try book.rule(for: #"email~(a)\1"#)
            Issue.record("a back-reference was accepted")
        } catch {
            #expect("\(error)".contains(#"(a)\1"#))
            #expect("\(error)".contains("back-reference"))
        }
        #expect("\(ClaimRuleError.unknownRuleSet("admins"))".contains("@admins"))
    }

    @Test func unknownOrCyclicNamedRuleSetsAreConfigurationErrors() {
        #expect(throws: ClaimRuleError.inRuleSet("a", .unknownRuleSet("missing"))) { _ = try ClaimRuleBook(named: ["a": "@missing"]) }
        #expect(throws: ClaimRuleError.self) { _ = try ClaimRuleBook(named: ["a": "@b", "b": "@a"]) }
        #expect(throws: ClaimRuleError.self) { _ = try ClaimRuleBook(named: ["self": "groups:x @self"]) }
        do {
            _ = try ClaimRuleBook(named: ["ok": "groups:x", "broken": "groups:"  + "x any("])
            Issue.record("a malformed rule set was accepted")
        } catch {
            #expect("\(error)".contains("rule set broken"))
        }
        let book = try! ClaimRuleBook(named: ["a": "sub:alice"])
        #expect(throws: ClaimRuleError.unknownRuleSet("b")) { _ = try book.rule(for: "@b") }
    }

    @Test func aPathologicalPatternFinishesQuicklyOnLongInput() throws {
        // (a+)+$ and (a|a)*b take exponential time in a backtracking engine.
        let long = String(repeating: "a", count: 20_000) + "!"
        let started = ContinuousClock.now
        for source in ["(a+)+$", "(a|a)*b", "(a*)*(b|c)", "(x+x+)+y", "^(a|aa)+$"] {
            let pattern = try ClaimPattern(source)
            #expect(!pattern.matches(long))
        }
        #expect(try ClaimPattern("(a+)+!$").matches(long))
        // Generous: the point is that it ends, not how fast (a backtracker would
        // not end in the lifetime of the test run).
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func patternsExpandingBeyondTheLimitAreRefused() {
        #expect(throws: ClaimRuleError.self) { _ = try ClaimPattern("((a{100}){100}){100}") }
        #expect(throws: ClaimRuleError.self) { _ = try ClaimPattern(String(repeating: "a", count: 1001)) }
    }

    @Test func patternFeatures() throws {
        func m(_ p: String, _ t: String) throws -> Bool { try ClaimPattern(p).matches(t) }
        #expect(try m("^a.c$", "abc"))
        #expect(try !m("^a.c$", "abbc"))
        #expect(try m("^[^0-9]+$", "abc"))
        #expect(try !m("^[^0-9]+$", "a1c"))
        #expect(try m(#"^\d{3}-\d{2,}$"#, "123-4567"))
        #expect(try !m(#"^\d{3}-\d{2,}$"#, "123-4"))
        #expect(try m("^(?:ab)?c$", "c"))
        #expect(try m("^(?:ab)?c$", "abc"))
        #expect(try m(#"^\s*x\S$"#, "  xy"))
        #expect(try m("^[a-c-]+$", "a-b-c"))
        #expect(try m(#"^\.\*$"#, ".*"))
        #expect(try m("ü", "grüße"))
        #expect(try m("^$", ""))
        #expect(try !m("^x", ""))
        #expect(try m("b", "abc"))
    }

    @Test func compiledRulesAreKeptPerText() throws {
        let book = ClaimRuleBook()
        for i in 0..<(ClaimRuleBook.maxCachedTexts * 2) {
            #expect(try book.rule(for: "sub:user\(i)") != nil)
        }
        #expect(try book.rule(for: "sub:alice")?.evaluate(claims) == nil)
    }
}
