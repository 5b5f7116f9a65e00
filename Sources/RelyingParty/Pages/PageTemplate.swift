/// The HTML template every page oidc-fcgi shows renders through: the built-in
/// one or the operator's `pages.error_template`. `{{name}}` is replaced by an
/// HTML-escaped value; `{{#name}}…{{/name}}` is kept only when the value is
/// not empty. The names are fixed (`placeholders`), so a typo is a
/// configuration error when the file is read, not a blank on a page.
public struct PageTemplate: Sendable {
    public static let placeholders: Set<String> = [
        "status", "title", "message", "error", "error_description", "correlation_id", "site_name", "try_again_url", "start_url",
    ]

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
                try Self.check(name)
                stack.append((name, []))
            } else if tag.hasPrefix("/") {
                let name = String(tag.dropFirst())
                guard stack.count > 1, stack[stack.count - 1].name == name else {
                    throw ParseError(description: "`{{/\(name.prefix(40))}}` closes no open `{{#\(name.prefix(40))}}`")
                }
                let section = stack.removeLast()
                stack[stack.count - 1].segments.append(.section(section.name, section.segments))
            } else {
                try Self.check(tag)
                stack[stack.count - 1].segments.append(.value(tag))
            }
        }
        if !rest.isEmpty { stack[stack.count - 1].segments.append(.text(String(rest))) }
        guard stack.count == 1 else { throw ParseError(description: "`{{#\(stack[stack.count - 1].name)}}` is never closed") }
        segments = stack[0].segments
    }

    private static func check(_ name: String) throws(ParseError) {
        guard placeholders.contains(name) else {
            throw ParseError(description: "unknown placeholder `{{\(name.prefix(40))}}`; the placeholders are \(placeholders.sorted().joined(separator: ", "))")
        }
    }

    /// The page, every value HTML-escaped; names without a value render empty.
    func render(_ values: [String: String]) -> String {
        var out = ""
        Self.render(segments, values, into: &out)
        return out
    }

    private static func render(_ segments: [Segment], _ values: [String: String], into out: inout String) {
        for segment in segments {
            switch segment {
            case .text(let text): out += text
            case .value(let name): out += HTMLText.escape(values[name] ?? "")
            case .section(let name, let inner):
                if let value = values[name], !value.isEmpty { render(inner, values, into: &out) }
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
