/// Reads a claim-rule regular expression into a `PatternNode`, refusing what
/// a linear-time automaton cannot match (back-references, look-around, lazy
/// and possessive repeats) and bounding nesting and repeat counts.
struct PatternParser {
    private let scalars: [Unicode.Scalar]
    private let source: String
    private var index = 0

    init(_ scalars: [Unicode.Scalar], source: String) {
        self.scalars = scalars
        self.source = source
    }

    mutating func parseAll() throws(ClaimRuleError) -> PatternNode {
        let node = try parseAlternation(depth: 0)
        guard index == scalars.count else { throw fail("has an unmatched )") }
        return node
    }

    private func fail(_ why: String) -> ClaimRuleError { .badPattern(source, why) }

    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func parseAlternation(depth: Int) throws(ClaimRuleError) -> PatternNode {
        guard depth < 32 else { throw fail("nests groups more than 32 deep") }
        var branches = [try parseSequence(depth: depth)]
        while peek == "|" {
            index += 1
            branches.append(try parseSequence(depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseSequence(depth: Int) throws(ClaimRuleError) -> PatternNode {
        var items: [PatternNode] = []
        while let c = peek, c != "|", c != ")" {
            var atom = try parseAtom(depth: depth)
            while let q = peek, q == "*" || q == "+" || q == "?" || q == "{" {
                if case .lineStart = atom { throw fail("repeats an anchor") }
                if case .lineEnd = atom { throw fail("repeats an anchor") }
                let (low, high) = try parseQuantifier()
                if peek == "?" || peek == "+" { throw fail("uses a lazy or possessive quantifier, which is not supported") }
                atom = .repeated(atom, min: low, max: high)
            }
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func parseQuantifier() throws(ClaimRuleError) -> (Int, Int?) {
        let c = scalars[index]
        index += 1
        switch c {
        case "*": return (0, nil)
        case "+": return (1, nil)
        case "?": return (0, 1)
        default:
            let low = try parseNumber()
            var high: Int? = low
            if peek == "," {
                index += 1
                high = peek == "}" ? nil : try parseNumber()
            }
            guard peek == "}" else { throw fail("has a { without its closing }") }
            index += 1
            if let high, high < low { throw fail("has a repeat {\(low),\(high)} whose maximum is below its minimum") }
            guard low <= ClaimPattern.maxRepeat, (high ?? 0) <= ClaimPattern.maxRepeat else {
                throw fail("repeats more than \(ClaimPattern.maxRepeat) times")
            }
            return (low, high)
        }
    }

    private mutating func parseNumber() throws(ClaimRuleError) -> Int {
        var value = 0, digits = 0
        while let c = peek, ("0"..."9").contains(c) {
            value = value * 10 + Int(c.value - 48)
            digits += 1
            index += 1
            if digits > 4 { throw fail("has a repeat count that is too large") }
        }
        guard digits > 0 else { throw fail("has a { not followed by a number") }
        return value
    }

    private mutating func parseAtom(depth: Int) throws(ClaimRuleError) -> PatternNode {
        let c = scalars[index]
        index += 1
        switch c {
        case ".": return .set(.any)
        case "^": return .lineStart
        case "$": return .lineEnd
        case "*", "+", "?", "{": throw fail("has a repeat with nothing before it")
        case "(":
            if peek == "?" {
                guard index + 1 < scalars.count, scalars[index + 1] == ":" else { throw fail("uses (?…) other than (?:…), which is not supported") }
                index += 2
            }
            let inner = try parseAlternation(depth: depth + 1)
            guard peek == ")" else { throw fail("has a ( without its closing )") }
            index += 1
            return inner
        case "[": return .set(try parseClass())
        case "\\": return .set(try parseEscape(inClass: false))
        default: return .set(ScalarSet(ranges: [c.value...c.value], negated: false))
        }
    }

    private mutating func parseEscape(inClass: Bool) throws(ClaimRuleError) -> ScalarSet {
        guard let c = peek else { throw fail("ends with a lone \\") }
        index += 1
        switch c {
        case "d": return .digit
        case "D": return ScalarSet(ranges: ScalarSet.digit.ranges, negated: true)
        case "w": return .word
        case "W": return ScalarSet(ranges: ScalarSet.word.ranges, negated: true)
        case "s": return .space
        case "S": return ScalarSet(ranges: ScalarSet.space.ranges, negated: true)
        case "n": return ScalarSet(ranges: [10...10], negated: false)
        case "t": return ScalarSet(ranges: [9...9], negated: false)
        case "1"..."9": throw fail("uses a back-reference, which cannot be matched in linear time")
        default:
            guard !(("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)) else {
                throw fail("uses the unknown escape \\\(c)")
            }
            return ScalarSet(ranges: [c.value...c.value], negated: false)
        }
    }

    private mutating func parseClass() throws(ClaimRuleError) -> ScalarSet {
        var negated = false
        if peek == "^" { negated = true; index += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while let c = peek, c != "]" || first {
            first = false
            index += 1
            var low: UInt32
            if c == "\\" {
                let escaped = try parseEscape(inClass: true)
                guard !escaped.negated, escaped.ranges.count == 1, escaped.ranges[0].count == 1 else {
                    if escaped.negated { throw fail("uses a negated class escape inside [ ]") }
                    ranges += escaped.ranges
                    continue
                }
                low = escaped.ranges[0].lowerBound
            } else {
                low = c.value
            }
            if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                index += 1
                var high = scalars[index].value
                index += 1
                if high == 92 /* \ */ {
                    let escaped = try parseEscape(inClass: true)
                    guard escaped.ranges.count == 1, escaped.ranges[0].count == 1, !escaped.negated else { throw fail("has a range ending in a class") }
                    high = escaped.ranges[0].lowerBound
                }
                guard low <= high else { throw fail("has a reversed range in [ ]") }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        guard peek == "]" else { throw fail("has a [ without its closing ]") }
        index += 1
        return ScalarSet(ranges: ranges, negated: negated)
    }
}
