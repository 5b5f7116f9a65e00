/// Reads the text of a claim rule:
///
///     rule  = term { " " term }                 (all terms must hold)
///     term  = "any(" rule ")" | "all(" rule ")" | "@" name
///           | path ":" value                    (equals, or an array contains)
///           | path "~" value                    (regular expression, searched)
///     path  = key { "." key } | quoted           (a quoted path is one key)
///     value = bare | quoted                      (bare: up to a space or the group's ")")
///
/// Quoted text is `"…"` with `\"` and `\\`. Named rule sets (`@name`) come from
/// `rules` in the configuration and are resolved while parsing, so a compiled
/// rule never looks anything up.
struct ClaimRuleParser {
    static let maxLength = 4096
    static let maxDepth = 16

    private let text: String
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private let namedRule: (String) throws(ClaimRuleError) -> ClaimRule

    init(_ text: String, namedRule: @escaping (String) throws(ClaimRuleError) -> ClaimRule) {
        self.text = text
        scalars = Array(text.unicodeScalars)
        self.namedRule = namedRule
    }

    /// The rule; an empty text is an error here (callers treat "no rule" before).
    mutating func parse() throws(ClaimRuleError) -> ClaimRule {
        guard text.utf8.count <= Self.maxLength else { throw .tooLong(Self.maxLength) }
        let rule = try parseTerms(depth: 0)
        skipSpaces()
        guard index == scalars.count else { throw fail("has a ) without its opening any( or all(") }
        return rule
    }

    private func fail(_ why: String) -> ClaimRuleError { .syntax(rule: text, why) }

    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1 }
    }

    private mutating func parseTerms(depth: Int) throws(ClaimRuleError) -> ClaimRule {
        guard depth <= Self.maxDepth else { throw fail("nests any( and all( more than \(Self.maxDepth) deep") }
        var terms: [ClaimRule] = []
        while true {
            skipSpaces()
            guard let c = peek else {
                if depth > 0 { throw fail("has an any( or all( without its closing )") }
                break
            }
            guard c != ")" else { break }
            terms.append(try parseTerm(depth: depth))
        }
        guard !terms.isEmpty else { throw fail(depth == 0 ? "is empty" : "has an empty any() or all()") }
        return terms.count == 1 ? terms[0] : .all(terms)
    }

    private mutating func parseTerm(depth: Int) throws(ClaimRuleError) -> ClaimRule {
        if let group = try parseGroup(depth: depth) { return group }
        if peek == "@" {
            index += 1
            let name = readBare(stoppingAt: [" ", "\t", "\n", "\r", ")"])
            guard !name.isEmpty else { throw fail("has an @ without a rule set name") }
            return try namedRule(name)
        }
        let path = try readPath()
        guard let op = peek, op == ":" || op == "~" else {
            throw fail("has the term \"\(path.joined(separator: "."))\" without :value or ~pattern")
        }
        index += 1
        let value = try readValue()
        if op == ":" { return .equals(path: path, value: value) }
        guard !value.isEmpty else { throw fail("has an empty regular expression after ~") }
        return .matches(path: path, pattern: try ClaimPattern(value))
    }

    /// `any(…)` or `all(…)`; nil when the term is not a group.
    private mutating func parseGroup(depth: Int) throws(ClaimRuleError) -> ClaimRule? {
        for (keyword, isAny) in [("any(", true), ("all(", false)] {
            let word = Array(keyword.unicodeScalars)
            guard index + word.count <= scalars.count, Array(scalars[index..<index + word.count]) == word else { continue }
            index += word.count
            let inner = try parseTerms(depth: depth + 1)
            guard peek == ")" else { throw fail("has an \(keyword) without its closing )") }
            index += 1
            guard isAny else { return inner }
            if case .all(let terms) = inner { return .any(terms) }
            return .any([inner])
        }
        return nil
    }

    private mutating func readPath() throws(ClaimRuleError) -> [String] {
        if peek == "\"" {
            let key = try readQuoted()
            guard !key.isEmpty else { throw fail("has an empty quoted claim name") }
            return [key]
        }
        let bare = readBare(stoppingAt: [":", "~", " ", "\t", "\n", "\r", "(", ")", "\""])
        guard !bare.isEmpty else { throw fail("has a term without a claim name at position \(index + 1)") }
        let keys = bare.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.contains(where: \.isEmpty) else { throw fail("has the claim path \"\(bare)\" with an empty part") }
        return keys
    }

    /// A bare value ends at a space or at a `)` that closes the enclosing group;
    /// parentheses it opens itself (a pattern's groups) and `\)` are its own.
    private mutating func readValue() throws(ClaimRuleError) -> String {
        if peek == "\"" { return try readQuoted() }
        var out = String.UnicodeScalarView()
        var depth = 0
        while let c = peek, c != " ", c != "\t", c != "\n", c != "\r", c != ")" || depth > 0 {
            out.append(c)
            index += 1
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 } else if c == "\\", let next = peek {
                out.append(next)
                index += 1
            }
        }
        return String(out)
    }

    private mutating func readBare(stoppingAt stops: Set<Unicode.Scalar>) -> String {
        var out = String.UnicodeScalarView()
        while let c = peek, !stops.contains(c) {
            out.append(c)
            index += 1
        }
        return String(out)
    }

    private mutating func readQuoted() throws(ClaimRuleError) -> String {
        index += 1
        var out = String.UnicodeScalarView()
        while let c = peek {
            index += 1
            switch c {
            case "\"": return String(out)
            case "\\":
                guard let next = peek, next == "\"" || next == "\\" else {
                    // Only \" and \\ are escapes; keep other backslashes for regular expressions.
                    out.append(c)
                    continue
                }
                out.append(next)
                index += 1
            default: out.append(c)
            }
        }
        throw fail("has a \" without its closing \"")
    }
}
