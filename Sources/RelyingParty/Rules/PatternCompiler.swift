/// Turns a `PatternNode` into the automaton's instructions; bounded repeats
/// are expanded, so the program size is checked as it grows.
struct PatternCompiler {
    let source: String
    var program: [ClaimPattern.Instruction] = []

    mutating func emit(_ node: PatternNode) throws(ClaimRuleError) {
        guard program.count < ClaimPattern.maxInstructions else {
            throw .badPattern(source, "is too large once its repeats are expanded")
        }
        switch node {
        case .empty: break
        case .set(let set): program.append(.scalar(set))
        case .lineStart: program.append(.lineStart)
        case .lineEnd: program.append(.lineEnd)
        case .sequence(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = program.count
                    program.append(.jump(0))
                    try emit(branch)
                    jumps.append(program.count)
                    program.append(.jump(0))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repeated(let inner, let low, let high):
            for _ in 0..<low { try emit(inner) }
            if let high {
                // Each optional copy may be skipped to the end.
                var skips: [Int] = []
                for _ in low..<high {
                    skips.append(program.count)
                    program.append(.jump(0))
                    try emit(inner)
                }
                for skip in skips { program[skip] = .split(skip + 1, program.count) }
            } else {
                let loop = program.count
                program.append(.jump(0))
                try emit(inner)
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}
