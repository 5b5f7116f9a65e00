import Testing
import WebServerSnippets

@Suite struct ApacheSnippetsTests {
    @Test func everyMappedClaimIsSetFromItsVariable() throws {
        let files = try ApacheSnippets.generate(from: source(exampleWith(headers: "  X-Remote-Groups: groups\n  Department: org.unit")))
        for name in ["oidc-fcgi-protect.conf", "oidc-fcgi-api.conf"] {
            let lines = directives(snippet(name, in: files))
            #expect(lines.contains("RequestHeader unset Department"), "\(name)")
            #expect(lines.contains("RequestHeader set Department \"%{OIDC_CLAIM_org_unit}e\" \"expr=-n %{reqenv:REMOTE_USER}\""), "\(name)")
            #expect(lines.contains("RequestHeader set X-Remote-Groups \"%{OIDC_CLAIM_groups}e\" \"expr=-n %{reqenv:REMOTE_USER}\""), "\(name)")
        }
    }

    @Test func endpointsUseTheListenAddressThePathsAndTheConfigFile() throws {
        let files = try ApacheSnippets.generate(from: source(exampleYAML.replacingOccurrences(of: "tcp:127.0.0.1:9000", with: "tcp:[::1]:9100")
            + "\nredirect_path: /sso/return"), binary: "/opt/oidc/bin/oidc-fcgi")
        let endpoints = directives(snippet("oidc-fcgi-endpoints.conf", in: files))
        #expect(endpoints.contains("ProxyPass \"fcgi://[::1]:9100/\""))
        #expect(endpoints.contains("<Location \"/sso/return\">"))
        let cgi = directives(snippet("oidc-fcgi-endpoints-cgi.conf", in: files))
        #expect(cgi.contains("SetEnv OIDC_FCGI_CONFIG /etc/oidc-fcgi/config.yaml"))
        #expect(cgi.contains("ScriptAlias \"/opt/oidc/bin/oidc-fcgi\""))
    }

    @Test func aUnixSocketCannotServeApache() throws {
        #expect(throws: SnippetError.apacheNeedsTCP(listen: "unix:/run/oidc-fcgi/oidc-fcgi.sock")) {
            try ApacheSnippets.generate(from: source(exampleYAML.replacingOccurrences(of: "tcp:127.0.0.1:9000", with: "unix:/run/oidc-fcgi/oidc-fcgi.sock")))
        }
    }
}
