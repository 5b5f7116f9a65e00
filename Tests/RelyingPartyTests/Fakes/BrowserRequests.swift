import Foundation
import RelyingParty

/// A browser's cookie jar: applies Set-Cookie answers, sends the Cookie header.
struct CookieJar {
    var cookies: [String: String] = [:]

    mutating func apply(_ setCookies: [String]) {
        for header in setCookies {
            let pair = header.split(separator: ";")[0]
            let eq = pair.firstIndex(of: "=")!
            let name = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            cookies[name] = header.contains("Max-Age=0") ? nil : value
        }
    }

    mutating func apply(_ setCookies: [Response.Header]) {
        apply(setCookies.filter { $0.name == .setCookie }.map(\.value))
    }

    var header: String? { cookies.isEmpty ? nil : cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
}

extension Request {
    /// A request as nginx passes it: CGI parameters with headers as HTTP_*.
    static func browser(method: String = "GET", uri: String = "/", headers: [String: String] = [:], cookie: String? = nil,
                        params extra: [String: String] = [:]) -> Request {
        var params = ["REQUEST_METHOD": method, "REQUEST_URI": uri]
        if let q = uri.firstIndex(of: "?") { params["QUERY_STRING"] = String(uri[uri.index(after: q)...]) }
        for (name, value) in headers { params["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = value }
        if let cookie { params["HTTP_COOKIE"] = cookie }
        params.merge(extra) { _, new in new }
        return Request(params: params)
    }
}

/// The query parameters of a URL (a redirect's `Location`); a repeated name keeps its first value.
func queryParameters(of url: String) -> [String: String] {
    let items = URLComponents(string: url)?.queryItems ?? []
    return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
}
