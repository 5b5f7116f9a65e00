/// The `auth_request_set` + `proxy_set_header` pair of every identity header:
/// nginx reads each from the auth answer and always overwrites what the client
/// sent (an empty value drops the header).
struct NginxIdentityLines {
    let variables: [NginxIdentityVariable]

    var captures: String {
        let width = variables.map(\.name.count).max() ?? 0
        return variables.map { "auth_request_set $\($0.name.padding(width)) $\($0.upstreamVariable);" }.joined(separator: "\n")
    }

    var overwrites: String {
        let width = variables.map(\.header.count).max() ?? 0
        return variables.map { "proxy_set_header \($0.header.padding(width)) $\($0.name);" }.joined(separator: "\n")
    }
}

extension String {
    /// Left-aligned in `width` columns, for readable columns of directives.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
