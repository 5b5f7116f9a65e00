/// The nginx include files for one configuration: `oidc-fcgi nginx-conf`.
public enum NginxSnippets {
    public static let command = "nginx-conf"
    public static let fileNames = ["oidc-fcgi-server.conf", "oidc-fcgi-protect.conf", "oidc-fcgi-api.conf", "oidc-fcgi-access-token.conf"]

    public static func generate(from source: SnippetSource) throws(SnippetError) -> [Snippet] {
        let headers = source.settings.headers
        let issuer = headers.issuerHeader.map { [$0] } ?? []
        let claims = headers.claimHeaders.map(\.header)
        let bearer = [headers.clientIDHeader, headers.scopeHeader]
        let session = NginxIdentityLines(variables: try NginxIdentityVariable.all([headers.userHeader] + issuer + claims + bearer))
        let api = NginxIdentityLines(variables: try NginxIdentityVariable.all([headers.userHeader] + issuer + bearer + claims))
        let banner = source.generatedBanner(command: command)
        let texts = [
            NginxServerSnippet(paths: try source.endpointPaths(), maxIdentityBytes: headers.maxTotalBytes).text,
            NginxProtectSnippet(identity: session, sessionCookie: source.settings.cookie.name, statePrefix: source.settings.cookie.statePrefix).text,
            NginxAPISnippet(identity: api).text,
            NginxAccessTokenSnippet().text,
        ]
        return zip(fileNames, texts).map { Snippet(fileName: $0, text: banner + $1 + "\n") }
    }
}
