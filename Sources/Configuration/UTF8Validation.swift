import Yams

/// Finds bytes that are not UTF-8 in a configuration file and names where
/// they are: the line, the column and, when the file still parses as YAML,
/// the key whose value (or name) holds them. Without this, Swift would
/// silently replace them with U+FFFD and a secret or URL would change.
enum UTF8Validation {
    struct Position: Equatable {
        let line: Int
        let column: Int
        let byte: UInt8
    }

    /// The first invalid byte of each line that has one, in file order.
    static func invalidPositions(in bytes: [UInt8]) -> [Position] {
        var positions: [Position] = []
        var line = 1
        var lineStart = 0
        var index = 0
        var reportedLine = 0
        while index < bytes.count {
            let length = sequenceLength(bytes, at: index)
            if length == 0 {
                if reportedLine != line {
                    let column = String(decoding: bytes[lineStart..<index], as: UTF8.self).unicodeScalars.count + 1
                    positions.append(Position(line: line, column: column, byte: bytes[index]))
                    reportedLine = line
                }
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += length
        }
        return positions
    }

    /// The length of the well-formed UTF-8 sequence at `index` (RFC 3629: no
    /// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
    private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let first = bytes[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch first {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let range = offset == 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { return 0 }
        }
        return length
    }

    /// The key path of the first node starting on each of `lines`, found by
    /// walking `root`. The walk visits at most `budget` nodes, since aliases
    /// can make a small file a very large tree.
    static func keyPaths(onLines lines: Set<Int>, in root: Node, budget: Int = 100_000) -> [Int: String] {
        var found: [Int: String] = [:]
        var remaining = budget
        func visit(_ node: Node, path: String) {
            guard remaining > 0, found.count < lines.count else { return }
            remaining -= 1
            switch node {
            case .scalar(let scalar):
                if let line = scalar.mark?.line, lines.contains(line), found[line] == nil { found[line] = path }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    let name = key.scalar?.string ?? "?"
                    let child = path.isEmpty ? name : "\(path).\(name)"
                    if let line = key.mark?.line, lines.contains(line), found[line] == nil { found[line] = child }
                    visit(value, path: child)
                }
            case .sequence(let sequence):
                for (index, item) in sequence.enumerated() { visit(item, path: "\(path)[\(index)]") }
            case .alias:
                break
            }
        }
        visit(root, path: "")
        return found
    }
}
