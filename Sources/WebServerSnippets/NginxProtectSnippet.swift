/// nginx's `oidc-fcgi-protect.conf`: the auth request, its error pages, every
/// configured identity header and the Cookie header without oidc-fcgi's cookies.
struct NginxProtectSnippet {
    let identity: NginxIdentityLines
    let sessionCookie: String
    let statePrefix: String

    var text: String {
        #"""
        # oidc-fcgi: protect one location. Include it inside the location, next to
        # its proxy_pass (needs oidc-fcgi-server.conf in the same server block):
        #
        #     location / {
        #         # set $oidc_provider partner;   # optional: a provider other than the first
        #         # set $oidc_provider "corp partner";  # optional: any of these (a choice page)
        #         # set $oidc_mode either;         # optional: a bearer token or the session
        #         include oidc-fcgi/oidc-fcgi-protect.conf;
        #         proxy_pass http://app;
        #     }
        #
        # IMPORTANT: proxy_set_header is inherited from the server/http level only by
        # locations that define none of their own. This file defines some, so any
        # server-level proxy_set_header lines (Host, X-Forwarded-For, ...) must be
        # repeated inside the protected location.

        # Every request asks oidc-fcgi first; no valid session -> start a login.
        auth_request /_oidc/auth;
        error_page 401 = @oidc_login;
        # 403: a bearer token without a required scope (`set $oidc_mode either;`), or
        # an identity too large to pass on; answered with its challenge and JSON.
        error_page 403 = @oidc_forbidden;
        auth_request_set $oidc_www_authenticate $upstream_http_www_authenticate;
        auth_request_set $oidc_error_body $upstream_http_oidc_error_body;
        # A valid session due for a silent re-check (session.recheck_interval): the
        # 401 goes to @oidc_login, which asks the provider with prompt=none.
        auth_request_set $oidc_recheck $upstream_http_oidc_recheck;
        # No session: the 401 usually carries the login redirect itself, which
        # @oidc_login sends without asking oidc-fcgi a second time.
        auth_request_set $oidc_login_location $upstream_http_oidc_login_location;
        auth_request_set $oidc_login_cookie_1 $upstream_http_oidc_login_cookie_1;
        auth_request_set $oidc_login_cookie_2 $upstream_http_oidc_login_cookie_2;
        auth_request_set $oidc_login_cookie_3 $upstream_http_oidc_login_cookie_3;
        auth_request_set $oidc_login_cookie_4 $upstream_http_oidc_login_cookie_4;
        auth_request_set $oidc_login_cookie_5 $upstream_http_oidc_login_cookie_5;
        # The auth answer was neither yes nor no (store down, oidc-fcgi down): 503.
        error_page 500 = @oidc_unavailable;
        # Lets that page fall back to a static one when oidc-fcgi itself is down.
        recursive_error_pages on;

        # The identity from the auth answer (headers.user, headers.issuer,
        # headers.claims, and headers.client_id / headers.scope for bearer tokens
        # in `either` mode). Empty when the answer did not carry it.
        \#(identity.captures)

        # Always overwrite what the client sent: an empty value makes nginx drop the
        # header, so a client-supplied identity header never reaches the upstream.
        # (nginx also drops headers with underscores, e.g. X_Remote_User, by default:
        # keep `underscores_in_headers off` and `ignore_invalid_headers on`.)
        \#(identity.overwrites)

        # The session cookie (\#(sessionCookie)) and the login-state cookies
        # (\#(statePrefix)…) are for oidc-fcgi only. The auth answer carries the
        # client's Cookie header without any of them, however often repeated; send
        # that upstream instead of the original. The site's own cookies pass
        # unchanged; with none left, no Cookie is sent.
        auth_request_set $oidc_upstream_cookie $upstream_http_oidc_upstream_cookie;
        proxy_set_header Cookie $oidc_upstream_cookie;

        # The session's access token, only in a location that asked for it with
        # `set $oidc_pass_access_token on;` (empty everywhere else). Hand it on with
        # oidc-fcgi-access-token.conf (Authorization: Bearer), or with your own
        # `proxy_set_header X-Forwarded-Access-Token $oidc_access_token;`.
        auth_request_set $oidc_access_token $upstream_http_oidc_access_token;
        """#
    }
}
