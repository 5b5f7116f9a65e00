import Yams

/// YAML merge keys (`<<: *base`, `<<: [*a, *b]`; yaml.org/type/merge): the
/// merged mappings' keys are added where the mapping does not set them
/// itself, and with a list the earlier mapping wins. Resolved before a
/// mapping is read, so merged settings are checked like written ones.
enum MergeKeys {
    /// Merged keys looked at over the whole file at most: anchors can be
    /// merged into anchors, and a small file must not expand without bound.
    /// Real files look at a few hundred.
    static let maximumMergedKeys = 10_000

    static func isMergeKey(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.string == "<<" && scalar.style == .plain
    }

    /// `mapping` with its merge keys replaced by the keys they bring in.
    /// Problems (a merge of something that is not a mapping, or too many
    /// merged keys) go to `problems`, under `path`.
    static func resolve(_ mapping: Node.Mapping, path: String, problems: YAMLReader.ProblemList) -> Node.Mapping {
        guard mapping.contains(where: { isMergeKey($0.key) }) else { return mapping }
        guard problems.mergeBudget > 0 else {
            let kept = mapping.filter { !isMergeKey($0.key) }.map { ($0.key, $0.value) }
            return Node.Mapping(kept, mapping.tag, mapping.style, mapping.mark)
        }
        let explicit = Set(mapping.compactMap { isMergeKey($0.key) ? nil : $0.key.scalar?.string })
        var seen = explicit
        var pairs: [(Node, Node)] = []
        for (key, value) in mapping {
            guard isMergeKey(key) else {
                pairs.append((key, value))
                continue
            }
            let sources: [Node]
            switch value {
            case .mapping: sources = [value]
            case .sequence(let sequence): sources = Array(sequence)
            default: sources = []
            }
            if sources.isEmpty || sources.contains(where: { $0.mapping == nil }) {
                problems.add(path.isEmpty ? "<<" : "\(path).<<", "a merge key must name a mapping (<<: *anchor) or a list of them (<<: [*a, *b])")
                continue
            }
            for source in sources {
                let merged = resolve(source.mapping!, path: path, problems: problems)
                for (mergedKey, mergedValue) in merged {
                    problems.mergeBudget -= 1
                    if problems.mergeBudget == 0 {
                        problems.add(path, "merge keys (<<) bring in more than \(maximumMergedKeys) settings; the file is refused")
                    }
                    guard problems.mergeBudget > 0 else { return Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark) }
                    guard let name = mergedKey.scalar?.string, !seen.contains(name) else { continue }
                    seen.insert(name)
                    pairs.append((mergedKey, mergedValue))
                }
            }
        }
        return Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark)
    }
}
