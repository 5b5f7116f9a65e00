/// nginx's `oidc-fcgi-api.conf`: bearer tokens only, with every configured
/// identity header of an API answer.
struct NginxAPISnippet {
    let identity: NginxIdentityLines

    var text: String {
        #"""
        # oidc-fcgi: protect an API location with bearer access tokens. Include it
        # inside the location, next to its proxy_pass (needs oidc-fcgi-server.conf in
        # the same server block):
        #
        #     location /api/ {
        #         # set $oidc_provider partner;             # optional
        #         # set $oidc_require_scope "orders:read";  # optional: every scope listed
        #         # set $oidc_require_audience orders-api;  # optional
        #         include oidc-fcgi/oidc-fcgi-api.conf;
        #         proxy_pass http://app;
        #     }
        #
        # Requests need `Authorization: Bearer <access token>`; there is never a
        # redirect: 401 or 403 with WWW-Authenticate and a small JSON body, 503 when
        # the provider cannot check the token. As with oidc-fcgi-protect.conf,
        # server-level proxy_set_header lines are not inherited by this location:
        # repeat them here.

        set $oidc_mode api;
        auth_request /_oidc/auth;
        error_page 401 = @oidc_api_unauthorized;
        error_page 403 = @oidc_forbidden;
        error_page 500 = @oidc_api_unavailable;
        # Lets that page fall back to a static one when oidc-fcgi itself is down.
        recursive_error_pages on;
        auth_request_set $oidc_www_authenticate $upstream_http_www_authenticate;
        auth_request_set $oidc_error_body $upstream_http_oidc_error_body;

        # The identity from the auth answer: the user, the issuer, the client the
        # token was issued to, its scopes, and the mapped claims.
        \#(identity.captures)

        # Always overwrite what the client sent (an empty value drops the header).
        \#(identity.overwrites)
        # The token itself still reaches the API in its Authorization header.
        """#
    }
}
