/// nginx's `oidc-fcgi-access-token.conf`: the same for every configuration,
/// written with the others so one directory holds the whole set.
struct NginxAccessTokenSnippet {
    var text: String {
        #"""
        # oidc-fcgi: hand the session's access token to the application as
        # `Authorization: Bearer <token>`. Include it after oidc-fcgi-protect.conf in
        # a location whose application calls APIs on the user's behalf:
        #
        #     location /app/ {
        #         include oidc-fcgi/oidc-fcgi-protect.conf;
        #         include oidc-fcgi/oidc-fcgi-access-token.conf;
        #         proxy_pass http://app;
        #     }
        #
        # oidc-fcgi refreshes the token with the session's refresh token before it
        # expires (session.refresh_margin), once per session however many requests
        # arrive at once; a refresh the provider refuses ends the session (a new login
        # for browsers, 401 for scripts). The header is always overwritten here, so a
        # client-sent Authorization never reaches the application of this location.
        #
        # For another header name, write these two lines yourself instead, e.g.
        #     set $oidc_pass_access_token on;
        #     proxy_set_header X-Forwarded-Access-Token $oidc_access_token;
        #     proxy_set_header Authorization "";
        # (for a FastCGI application: fastcgi_param HTTP_AUTHORIZATION "Bearer $oidc_access_token";)

        set $oidc_pass_access_token on;
        proxy_set_header Authorization "Bearer $oidc_access_token";
        """#
    }
}
