import FastCGIServer
import RelyingParty

/// The Apache include files for one configuration: `oidc-fcgi apache-conf`.
public enum ApacheSnippets {
    public static let command = "apache-conf"
    public static let fileNames = ["oidc-fcgi-endpoints.conf", "oidc-fcgi-endpoints-cgi.conf", "oidc-fcgi-protect.conf", "oidc-fcgi-api.conf"]
    public static let defaultBinary = "/usr/bin/oidc-fcgi"

    /// `binary`: the oidc-fcgi that the CGI endpoints run.
    public static func generate(from source: SnippetSource, binary: String = defaultBinary) throws(SnippetError) -> [Snippet] {
        guard case .tcp(let host, let port) = source.service.listen else {
            throw .apacheNeedsTCP(listen: source.service.listen.description)
        }
        try SnippetSource.checkSafe(source.configFile, setting: "the configuration file's path")
        try SnippetSource.checkSafe(binary, setting: "the oidc-fcgi binary's path")
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let headers = source.settings.headers
        let issuer = headers.issuerHeader.map { ApacheIdentityLine(header: $0.text, variable: AuthorizerVariables.issuerVariable) }
        let claims = headers.claimHeaders.map { ApacheIdentityLine.claim($0.header, claim: $0.claim) }
        let paths = try source.endpointPaths()
        let banner = source.generatedBanner(command: command)
        let texts = [
            ApacheEndpointsSnippet(paths: paths, fastcgiURL: "fcgi://\(authority)/", listen: source.service.listen.description).text,
            ApacheCGIEndpointsSnippet(paths: paths, configFile: source.configFile, binary: binary).text,
            ApacheProtectSnippet(user: headers.userHeader.text, issuer: issuer, claims: claims).text,
            ApacheAPISnippet(
                user: headers.userHeader.text, issuer: issuer,
                clientID: ApacheIdentityLine(header: headers.clientIDHeader.text, variable: AuthorizerVariables.clientIDVariable),
                scope: ApacheIdentityLine(header: headers.scopeHeader.text, variable: AuthorizerVariables.scopeVariable), claims: claims).text,
        ]
        return zip(fileNames, texts).map { Snippet(fileName: $0, text: banner + $1 + "\n") }
    }
}
