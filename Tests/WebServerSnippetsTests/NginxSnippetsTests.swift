import Testing
@testable import WebServerSnippets

@Suite struct NginxSnippetsTests {
    private func generate(_ yaml: String) throws -> [Snippet] { try NginxSnippets.generate(from: source(yaml)) }

    @Test func everyMappedHeaderIsReadAndOverwritten() throws {
        let files = try generate(exampleWith(headers: "  Department: department\n  X-Remote-Groups: groups\nuser: X-User"))
        for name in ["oidc-fcgi-protect.conf", "oidc-fcgi-api.conf"] {
            let lines = directives(snippet(name, in: files))
            for (header, variable) in [("X-User", "oidc_header_x_user"), ("X-Remote-Email", "oidc_remote_email"),
                                       ("Department", "oidc_header_department"), ("X-Remote-Groups", "oidc_remote_groups"),
                                       ("X-Remote-Issuer", "oidc_remote_issuer"), ("X-Remote-Client-Id", "oidc_remote_client_id")] {
                let upstream = "upstream_http_" + header.lowercased().replacingOccurrences(of: "-", with: "_")
                #expect(lines.contains("auth_request_set $\(variable) $\(upstream);"), "\(name): \(header)")
                #expect(lines.contains("proxy_set_header \(header) $\(variable);"), "\(name): \(header)")
            }
            #expect(!lines.contains { $0.hasPrefix("proxy_set_header X-Remote-User ") }, "the default user header is not the user header any more")
        }
    }

    @Test func aDisabledIssuerHeaderIsNotPassed() throws {
        let protect = snippet("oidc-fcgi-protect.conf", in: try generate(exampleWith(headers: "issuer: \"\"")))
        #expect(!protect.contains("X-Remote-Issuer") && !protect.contains("oidc_remote_issuer"))
    }

    @Test func theRenamedCookieIsNamedAndTheUpstreamGetsTheStrippedCookieHeader() throws {
        let protect = snippet("oidc-fcgi-protect.conf", in: try generate(exampleYAML + "\ncookie: {name: app_sso, state_prefix: app_login_}"))
        #expect(protect.contains("The session cookie (app_sso) and the login-state cookies\n# (app_login_…)"))
        #expect(directives(protect).contains("proxy_set_header Cookie $oidc_upstream_cookie;"))
        #expect(!protect.contains("oidc_session"))
    }

    @Test func endpointsAreAtTheConfiguredPaths() throws {
        let server = directives(snippet("oidc-fcgi-server.conf", in: try generate(exampleYAML + """

            redirect_path: /sso/return
            logout: {path: /sso/bye, backchannel_path: /sso/bc, frontchannel_path: /sso/fc}
            """)))
        for path in ["/sso/return", "/sso/bye", "/sso/bc", "/sso/fc", "/oidc/login", "/_oidc/auth"] {
            #expect(server.contains("location = \(path) {"), "\(path)")
        }
        for path in ["/oidc/callback", "/oidc/logout", "/oidc/backchannel-logout", "/oidc/frontchannel-logout"] {
            #expect(!server.contains("location = \(path) {"), "\(path)")
        }
    }

    @Test func theAuthBufferHoldsTheLargestAnswer() throws {
        let defaults = AuthAnswerBuffers(maxIdentityBytes: 16384)
        #expect(defaults.headerKiB == 40 && defaults.bufferCount == 8)
        let largest = AuthAnswerBuffers(maxIdentityBytes: 262_144)
        #expect(largest.headerKiB * 1024 >= 262_144 + 8192 + 8192 + 8192)
        // nginx -t: busy buffers (2 × the header buffer) below all the buffers but one.
        #expect(2 * largest.headerKiB < (largest.bufferCount - 1) * AuthAnswerBuffers.bufferKiB)
        let server = snippet("oidc-fcgi-server.conf", in: try generate(exampleWith(headers: "max_value_bytes: 65536\nmax_total_bytes: 262144")))
        #expect(directives(server).contains("fastcgi_buffer_size \(largest.headerKiB)k;"))
        #expect(directives(server).contains("fastcgi_buffers \(largest.bufferCount) 16k;"))
    }

    @Test func headersNginxCannotReadAreRefused() throws {
        #expect(throws: SnippetError.headerNotForNginx("X_Team")) { _ = try NginxIdentityVariable.all(["X-Remote-User", "X_Team"]) }
        #expect(throws: SnippetError.headersShareVariable("X-Remote-Email", "x-remote-email")) {
            _ = try NginxIdentityVariable.all(["X-Remote-Email", "x-remote-email"])
        }
        #expect(try NginxIdentityVariable.all(["X-Remote-User", "X-Remote-User"]).count == 1)
    }

    @Test func pathsThatWouldBreakTheFileAreRefused() throws {
        #expect(throws: SnippetError.unsafeText(setting: "logout.path", value: "/a;b")) {
            try generate(exampleYAML + "\nlogout: {path: \"/a;b\"}")
        }
    }
}
