/// One request as the web server hands it over: the FastCGI/CGI parameters
/// (REQUEST_METHOD, REQUEST_URI, HTTP_COOKIE, OIDC_ACTION…) and the body.
public struct Request: Sendable {
    public var params: [String: String]
    public var body: [UInt8]

    public init(params: [String: String], body: [UInt8] = []) {
        self.params = params
        self.body = body
    }

    public var method: String { params["REQUEST_METHOD"] ?? "GET" }

    /// The original URI with query, as the client sent it (nginx $request_uri).
    public var requestURI: String { params["REQUEST_URI"] ?? "/" }

    /// The query string of the request URI, without '?'.
    public var queryString: String {
        if let q = params["QUERY_STRING"], !q.isEmpty { return q }
        guard let i = requestURI.firstIndex(of: "?") else { return "" }
        return String(requestURI[requestURI.index(after: i)...])
    }

    /// A request header by its HTTP name ("Accept", "X-Requested-With").
    public func header(_ name: String) -> String? {
        var key = "HTTP_"
        key.reserveCapacity(5 + name.utf8.count)
        for c in name.utf8 {
            switch c {
            case UInt8(ascii: "-"): key.append("_")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): key.unicodeScalars.append(Unicode.Scalar(c - 32))
            default: key.unicodeScalars.append(Unicode.Scalar(c))
            }
        }
        return params[key]
    }

    /// Values of one cookie name, in the order the client sent them.
    public func cookies(named name: String) -> [String] {
        CookieHeader.values(named: name, in: header("Cookie") ?? "")
    }

    /// All cookies as (name, value) pairs.
    public var allCookies: [(name: String, value: String)] {
        CookieHeader.parse(header("Cookie") ?? "")
    }
}

/// Parsing of the Cookie request header (RFC 6265 §5.4 shape: "a=b; c=d").
public enum CookieHeader {
    public static func parse(_ header: String) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for part in header.split(separator: ";", omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let name = part[..<eq].trimmingSpaces()
            var value = part[part.index(after: eq)...].trimmingSpaces()
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = String(value.dropFirst().dropLast())
            }
            if !name.isEmpty { result.append((name, value)) }
        }
        return result
    }

    public static func values(named name: String, in header: String) -> [String] {
        parse(header).filter { $0.name == name }.map(\.value)
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
