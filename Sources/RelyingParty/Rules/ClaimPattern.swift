/// A regular expression for claim rules, matched in time linear in the claim's
/// length: the pattern is compiled to a Thompson automaton and every position is
/// tried in parallel, so no pattern (`(a+)+$` included) can backtrack. Supports
/// literals, `.`, classes `[a-z]` `[^…]`, `\d \w \s` (and upper-case negations),
/// escapes, groups `( )` `(?: )`, alternation `|`, `* + ?` and `{m}`, `{m,}`,
/// `{m,n}`, anchors `^` and `$`. Back-references and look-around are refused.
/// Matching searches anywhere in the value unless anchored.
public struct ClaimPattern: Sendable {
    public let source: String
    private let program: [Instruction]

    /// Limits that keep a compiled pattern small: the text, a repeat count, and
    /// the automaton's size (repeats are expanded).
    static let maxSourceLength = 1000
    static let maxRepeat = 100
    static let maxInstructions = 20_000

    public init(_ source: String) throws(ClaimRuleError) {
        guard source.unicodeScalars.count <= Self.maxSourceLength else {
            throw .badPattern(source, "is longer than \(Self.maxSourceLength) characters")
        }
        var parser = PatternParser(Array(source.unicodeScalars), source: source)
        let node = try parser.parseAll()
        var compiler = PatternCompiler(source: source)
        try compiler.emit(node)
        compiler.program.append(.match)
        self.source = source
        program = compiler.program
    }

    /// True when the pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var current = ThreadList(capacity: program.count)
        var next = ThreadList(capacity: program.count)
        var generation = 1
        var seen = [Int](repeating: 0, count: program.count)
        for position in 0...scalars.count {
            // Unanchored search: a new thread starts at every position.
            if add(0, at: position, count: scalars.count, to: &current, seen: &seen, generation: generation) { return true }
            generation += 1
            guard position < scalars.count else { break }
            let scalar = scalars[position]
            next.clear()
            for pc in current.items {
                if case .scalar(let set) = program[pc], set.contains(scalar) {
                    if add(pc + 1, at: position + 1, count: scalars.count, to: &next, seen: &seen, generation: generation) { return true }
                }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Follows the empty transitions from `pc`; true when it reaches a match.
    private func add(_ start: Int, at position: Int, count: Int, to list: inout ThreadList, seen: inout [Int], generation: Int) -> Bool {
        var stack = [start]
        while let pc = stack.popLast() {
            if seen[pc] == generation { continue }
            seen[pc] = generation
            switch program[pc] {
            case .match: return true
            case .scalar: list.items.append(pc)
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(second); stack.append(first)
            case .lineStart: if position == 0 { stack.append(pc + 1) }
            case .lineEnd: if position == count { stack.append(pc + 1) }
            }
        }
        return false
    }

    private struct ThreadList {
        var items: [Int] = []
        init(capacity: Int) { items.reserveCapacity(min(capacity, 1024)) }
        mutating func clear() { items.removeAll(keepingCapacity: true) }
    }

    enum Instruction: Sendable {
        case scalar(ScalarSet)
        case split(Int, Int)
        case jump(Int)
        case lineStart
        case lineEnd
        case match
    }
}
