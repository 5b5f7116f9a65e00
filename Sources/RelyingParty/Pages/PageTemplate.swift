/// The HTML template every page oidc-fcgi shows renders through: the built-in
/// one or the operator's `pages.error_template`. `{{name}}` is replaced by an
/// HTML-escaped value; `{{#name}}…{{/name}}` is kept only when the value is
/// not empty. A list section (`{{#providers}}…{{/providers}}`) is repeated once
/// per item, with the item's own placeholders (`{{provider_name}}`,
/// `{{provider_url}}`) escaped like every other value: the template, not the
/// code, writes the markup, so no value ever arrives as HTML. The names are
/// fixed (`placeholders`), so a typo is a configuration error when the file is
/// read, not a blank on a page.
public struct PageTemplate: Sendable {
    public static let placeholders: Set<String> = [
        "status", "title", "message", "error", "error_description", "correlation_id", "site_name", "try_again_url", "start_url",
        "provider_choice",
    ]
    /// Sections repeated per item, and the placeholders each item fills.
    public static let lists: [String: Set<String>] = ["providers": ["provider_name", "provider_url"]]

    enum Segment: Sendable {
        case text(String)
        case value(String)
        case section(String, [Segment])
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    let segments: [Segment]

    public init(parsing source: String) throws(ParseError) {
        var rest = Substring(source)
        var stack: [(name: String, segments: [Segment])] = [("", [])]
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { stack[stack.count - 1].segments.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ParseError(description: "a `{{` is never closed with `}}`")
            }
            let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
            rest = rest[close.upperBound...]
            if tag.hasPrefix("#") {
                let name = String(tag.dropFirst())
                if Self.lists[name] != nil {
                    guard !stack.contains(where: { $0.name == name }) else { throw ParseError(description: "`{{#\(name)}}` is opened inside itself") }
                } else {
                    try Self.check(name, inside: stack.map(\.name))
                }
                stack.append((name, []))
            } else if tag.hasPrefix("/") {
                let name = String(tag.dropFirst())
                guard stack.count > 1, stack[stack.count - 1].name == name else {
                    throw ParseError(description: "`{{/\(name.prefix(40))}}` closes no open `{{#\(name.prefix(40))}}`")
                }
                let section = stack.removeLast()
                stack[stack.count - 1].segments.append(.section(section.name, section.segments))
            } else {
                if Self.lists[tag] != nil { throw ParseError(description: "`{{\(tag)}}` is a list: write `{{#\(tag)}}…{{/\(tag)}}`") }
                try Self.check(tag, inside: stack.map(\.name))
                stack[stack.count - 1].segments.append(.value(tag))
            }
        }
        if !rest.isEmpty { stack[stack.count - 1].segments.append(.text(String(rest))) }
        guard stack.count == 1 else { throw ParseError(description: "`{{#\(stack[stack.count - 1].name)}}` is never closed") }
        segments = stack[0].segments
    }

    /// Whether the template repeats the list `name` anywhere (the choice page needs `providers`).
    public func hasList(_ name: String) -> Bool {
        func search(_ segments: [Segment]) -> Bool {
            segments.contains { segment in
                guard case .section(let section, let inner) = segment else { return false }
                return section == name || search(inner)
            }
        }
        return search(segments)
    }

    /// A known placeholder, and an item's own only inside its list section.
    private static func check(_ name: String, inside open: [String]) throws(ParseError) {
        if let list = lists.first(where: { $0.value.contains(name) })?.key {
            guard open.contains(list) else { throw ParseError(description: "`{{\(name)}}` is used outside `{{#\(list)}}…{{/\(list)}}`") }
            return
        }
        guard placeholders.contains(name) else {
            let all = placeholders.union(lists.keys).union(lists.values.joined())
            throw ParseError(description: "unknown placeholder `{{\(name.prefix(40))}}`; the placeholders are \(all.sorted().joined(separator: ", "))")
        }
    }

    /// The page, every value HTML-escaped; names without a value render empty,
    /// lists without items not at all.
    func render(_ values: [String: String], lists: [String: [[String: String]]] = [:]) -> String {
        var out = ""
        Self.render(segments, values, lists, into: &out)
        return out
    }

    private static func render(_ segments: [Segment], _ values: [String: String], _ lists: [String: [[String: String]]], into out: inout String) {
        for segment in segments {
            switch segment {
            case .text(let text): out += text
            case .value(let name): out += HTMLText.escape(values[name] ?? "")
            case .section(let name, let inner) where Self.lists[name] != nil:
                for item in lists[name] ?? [] {
                    render(inner, values.merging(item) { _, own in own }, lists, into: &out)
                }
            case .section(let name, let inner):
                if let value = values[name], !value.isEmpty { render(inner, values, lists, into: &out) }
            }
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
