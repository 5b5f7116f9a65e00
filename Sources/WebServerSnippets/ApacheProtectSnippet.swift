/// Apache's `oidc-fcgi-protect.conf`: the authorizer and every configured
/// identity header of a session.
struct ApacheProtectSnippet {
    let user: String
    let issuer: ApacheIdentityLine?
    let claims: [ApacheIdentityLine]

    var text: String {
        let all = [ApacheIdentityLine(header: user, variable: "REMOTE_USER")] + (issuer.map { [$0] } ?? []) + claims
        let claimSets = claims.map { $0.set(when: "REMOTE_USER") }.joined(separator: "\n")
        let issuerSet = issuer.map { "# Empty (not sent) for a `pass` location without a session.\n" + $0.set(when: $0.variable) } ?? "# headers.issuer is \"\": no issuer header."
        return #"""
        # oidc-fcgi for Apache 2.4: protect one location. Include it inside the
        # <Location> (needs oidc-fcgi-endpoints.conf in the same virtual host):
        #
        #     <Location "/">
        #         # SetEnvIfExpr "true" OIDC_PROVIDER=partner   # optional: not the first provider
        #         # SetEnvIfExpr "true" "OIDC_PROVIDER=corp partner"   # optional: any of these
        #         Include /etc/apache2/oidc-fcgi/oidc-fcgi-protect.conf
        #     </Location>
        #
        # Every request asks oidc-fcgi (FastCGI authorizer role). On 200 its
        # Variable-* headers become request environment (REMOTE_USER, OIDC_ISSUER,
        # OIDC_CLAIM_<claim>, OIDC_UPSTREAM_COOKIE); a 302 to the provider, a 401 or
        # a 503 goes to the client as it is.
        AuthType None
        AuthnzFcgiCheckAuthnProvider oidc_fcgi Authoritative On RequireBasicAuth Off UserExpr "%{reqenv:REMOTE_USER}"
        Require valid-user

        # Identity to the application. What the client sent under these names is
        # removed, then set from the authorizer's answer. The sets are conditional
        # because Apache merges these lines into every <Location> below this one,
        # the endpoints too, where no authorizer ran.
        \#(ApacheIdentityLine.unsets(all))
        RequestHeader set \#(user) "%{REMOTE_USER}e" "expr=-n %{reqenv:REMOTE_USER} && -z %{reqenv:OIDC_ANONYMOUS}"
        # A `pass` location without a session (OIDC_UNAUTHENTICATED=pass): REMOTE_USER
        # is `-` for Apache, the application gets an empty user.
        RequestHeader set \#(user) "" "expr=-n %{reqenv:OIDC_ANONYMOUS}"
        \#(claimSets)
        \#(issuerSet)

        # The session cookie is for oidc-fcgi only: the application gets the Cookie
        # header without oidc-fcgi's cookies, or none when nothing else is left.
        RequestHeader set Cookie "%{OIDC_UPSTREAM_COOKIE}e" "expr=-n %{reqenv:OIDC_UPSTREAM_COOKIE}"
        RequestHeader unset Cookie "expr=-n %{reqenv:REMOTE_USER} && -z %{reqenv:OIDC_UPSTREAM_COOKIE}"
        """#
    }
}
