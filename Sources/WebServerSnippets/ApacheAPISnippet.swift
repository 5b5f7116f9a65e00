/// Apache's `oidc-fcgi-api.conf`: bearer tokens only, with every configured
/// identity header of an API answer.
struct ApacheAPISnippet {
    let user: String
    let issuer: ApacheIdentityLine?
    let clientID: ApacheIdentityLine
    let scope: ApacheIdentityLine
    let claims: [ApacheIdentityLine]

    var text: String {
        let userLine = ApacheIdentityLine(header: user, variable: "REMOTE_USER")
        let all = [userLine, clientID, scope] + claims + (issuer.map { [$0] } ?? [])
        let sets = ([userLine, clientID, scope] + claims).map { $0.set(when: "REMOTE_USER") } + (issuer.map { [$0.set(when: $0.variable)] } ?? [])
        return #"""
        # oidc-fcgi for Apache 2.4: protect an API with bearer access tokens. Include
        # it inside the <Location> (needs the AuthnzFcgiDefineProvider line of
        # oidc-fcgi-endpoints.conf and the provider's `api:` settings):
        #
        #     <Location "/api/">
        #         # optional, before the Include (SetEnv would come too late):
        #         # SetEnvIfExpr "true" "OIDC_REQUIRE_SCOPE=orders:read"
        #         Include /etc/apache2/oidc-fcgi/oidc-fcgi-api.conf
        #     </Location>
        #
        # 200 + Variable-* headers -> request environment; 401, 403 and 503 with
        # WWW-Authenticate: Bearer and a JSON body go to the client: never a redirect.
        SetEnvIfExpr "true" OIDC_MODE=api
        CGIPassAuth On
        AuthType None
        AuthnzFcgiCheckAuthnProvider oidc_fcgi Authoritative On RequireBasicAuth Off UserExpr "%{reqenv:REMOTE_USER}"
        Require valid-user

        # Apache labels the refusal body text/html; it is JSON.
        Header always set Content-Type "application/json" "expr=-z %{reqenv:REMOTE_USER} && %{REQUEST_STATUS} -in {'401', '403', '503'}"

        # Identity to the application; what the client sent under these names is
        # removed first (see oidc-fcgi-protect.conf).
        \#(ApacheIdentityLine.unsets(all))
        \#(sets.joined(separator: "\n"))

        # The token is for this location; the application gets the identity above.
        RequestHeader unset Authorization "expr=-n %{reqenv:REMOTE_USER}"
        """#
    }
}
