// Claim rules and their regular expressions: any text either compiles or is
// refused with an error, and matching any claim ends (the engine is linear;
// libFuzzer's timeout catches a regression to backtracking).
import FuzzSupport
import RelyingParty

let namedRules = ["staff": "any(groups:staff groups:admins)", "mail": "email~@example\\.com$"]

Fuzzer.run { bytes in
    // A book per input: a ClaimRule keeps its case in the spare bits of its
    // box pointer, which LeakSanitizer cannot follow, so rules kept across
    // inputs (a global book and its cache) would read as leaks.
    let book = try! ClaimRuleBook(named: namedRules)
    let fields = FuzzInput(bytes).fields.map { String(decoding: $0, as: UTF8.self) }
    let ruleText = fields.first ?? ""
    let claimText = fields.count > 1 ? fields[1] : ruleText
    let claims: [String: JSONValue] = [
        "sub": .string(claimText), "email": .string(claimText),
        "groups": .array([.string(claimText), .string("staff")]),
        "nested": .object(["roles": .array([.string(claimText)])]),
        "flag": .bool(claimText.count % 2 == 0), "n": .integer(Int64(claimText.count)),
    ]
    if let rule = try? book.rule(for: ruleText) { _ = rule.evaluate(claims) }
    if let pattern = try? ClaimPattern(ruleText) { _ = pattern.matches(claimText) }
}
