import RelyingParty

/// One identity header as nginx sees it: the `$upstream_http_…` variable that
/// reads it from the auth answer, and the variable the include sets from it.
struct NginxIdentityVariable: Sendable, Equatable {
    let header: String
    /// `oidc_remote_user` for `X-Remote-User` (the shipped files' names),
    /// `oidc_header_department` for `Department`: apart from the per-location
    /// variables (`$oidc_mode`, `$oidc_provider`…) whatever the header is called.
    let name: String
    let upstreamVariable: String

    init(header: HeaderName) throws(SnippetError) {
        let text = header.text
        guard text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw .headerNotForNginx(text)
        }
        let lowered = String(text.lowercased().map { $0 == "-" ? "_" : $0 })
        self.header = text
        upstreamVariable = "upstream_http_" + lowered
        name = lowered.hasPrefix("x_remote_") ? "oidc_remote_" + lowered.dropFirst("x_remote_".count) : "oidc_header_" + lowered
    }

    /// The variables for these headers in order, each once; an error when two
    /// different headers would share one.
    static func all(_ headers: [HeaderName]) throws(SnippetError) -> [NginxIdentityVariable] {
        var out: [NginxIdentityVariable] = []
        for header in headers {
            let variable = try NginxIdentityVariable(header: header)
            if let earlier = out.first(where: { $0.upstreamVariable == variable.upstreamVariable }) {
                guard earlier.header == variable.header else { throw .headersShareVariable(earlier.header, variable.header) }
                continue
            }
            out.append(variable)
        }
        return out
    }
}
