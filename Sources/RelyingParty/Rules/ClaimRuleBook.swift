import Synchronization

/// Every claim rule the service uses: the named rule sets of the configuration,
/// compiled at start (a malformed one stops the start, named), and the rule
/// texts locations send (`OIDC_REQUIRE`), compiled on first use and kept, so a
/// request never parses a rule twice.
public final class ClaimRuleBook: Sendable {
    /// Locations send few distinct texts; the bound only stops a misbehaving
    /// web server configuration from growing the cache without end.
    static let maxCachedTexts = 512

    private let named: [String: ClaimRule]
    private let compiled = Mutex<[String: ClaimRule]>([:])

    /// Compiles the named rule sets; a set may use the sets named before or
    /// after it (`@other`), but not itself, directly or through others.
    public init(named texts: [String: String]) throws(ClaimRuleError) {
        let resolver = NamedRuleResolver(texts: texts)
        for name in texts.keys.sorted() { _ = try resolver.rule(named: name) }
        named = resolver.done
    }

    /// A book without named rule sets.
    public init() { named = [:] }

    /// The compiled rule for a location's text (nil when the text is empty).
    public func rule(for text: String) throws(ClaimRuleError) -> ClaimRule? {
        guard !text.allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        if let known = compiled.withLock({ $0[text] }) { return known }
        let named = self.named
        var parser = ClaimRuleParser(text) { (name: String) throws(ClaimRuleError) -> ClaimRule in
            guard let rule = named[name] else { throw .unknownRuleSet(name) }
            return rule
        }
        let rule = try parser.parse()
        compiled.withLock { cache in
            if cache.count >= Self.maxCachedTexts { cache.removeAll() }
            cache[text] = rule
        }
        return rule
    }

    public var ruleSetNames: [String] { named.keys.sorted() }
}

/// Compiles named rule sets in the order they use each other, refusing cycles.
private final class NamedRuleResolver {
    let texts: [String: String]
    var done: [String: ClaimRule] = [:]
    private var resolving: [String] = []

    init(texts: [String: String]) { self.texts = texts }

    func rule(named name: String) throws(ClaimRuleError) -> ClaimRule {
        if let rule = done[name] { return rule }
        guard let text = texts[name] else { throw .unknownRuleSet(name) }
        guard !resolving.contains(name) else {
            throw .syntax(rule: text, "uses itself through @\((resolving + [name]).joined(separator: " -> @"))")
        }
        resolving.append(name)
        defer { resolving.removeLast() }
        var parser = ClaimRuleParser(text) { (used: String) throws(ClaimRuleError) -> ClaimRule in try self.rule(named: used) }
        let rule: ClaimRule
        do { rule = try parser.parse() } catch {
            if case .inRuleSet = error { throw error }
            throw .inRuleSet(name, error)
        }
        done[name] = rule
        return rule
    }
}
