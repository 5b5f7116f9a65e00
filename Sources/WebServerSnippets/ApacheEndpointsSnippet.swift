/// Apache's `oidc-fcgi-endpoints.conf`: the endpoints at the configured paths,
/// proxied to the configured TCP address.
struct ApacheEndpointsSnippet {
    let paths: EndpointPaths
    /// `fcgi://127.0.0.1:9000/`
    let fastcgiURL: String
    /// The `listen` value, as written in the configuration.
    let listen: String

    var text: String {
        #"""
        # oidc-fcgi for Apache 2.4: the FastCGI authorizer and the endpoints.
        # Include once per virtual host, AFTER every protected <Location>: later
        # <Location> sections win, and these two must not need a login. A
        # server-level `ProxyPass "/" ...` needs `ProxyPass "/oidc/" "!"` before it.
        #
        # Modules: a2enmod authnz_fcgi proxy proxy_fcgi proxy_http headers setenvif
        # oidc-fcgi listens on TCP for Apache (mod_authnz_fcgi speaks TCP only):
        #   listen: "\#(listen)"   in the oidc-fcgi config
        # and public_url + redirect_path must match this virtual host and the
        # callback location below.

        # Needs, at server level outside any <VirtualHost> (Apache allows it nowhere
        # else, and no path or query in the address):
        #   AuthnzFcgiDefineProvider authn oidc_fcgi \#(fastcgiURL)
        # A location picks another provider with `SetEnvIfExpr "true"
        # OIDC_PROVIDER=partner` (SetEnv would come too late for the authorizer).

        # The redirect URI registered at the identity provider (`redirect_path`).
        # SetEnv values reach mod_proxy_fcgi as FastCGI parameters.
        <Location "\#(paths.callback)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            SetEnv OIDC_ACTION callback
            ProxyPass "\#(fastcgiURL)"
        </Location>

        # Ends the session, clears the cookie, redirects to the provider's
        # end_session endpoint (or to return_to).
        # Login links and third-party-initiated login: /oidc/login?target_link_uri=...
        # &iss=...&login_hint=... (GET or a POSTed form); the client's initiate_login_uri.
        <Location "\#(EndpointPaths.loginLink)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            LimitRequestBody 16384
            SetEnv OIDC_ACTION login-link
            ProxyPass "\#(fastcgiURL)"
        </Location>
        <Location "\#(paths.logout)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            SetEnv OIDC_ACTION logout
            ProxyPass "\#(fastcgiURL)"
        </Location>

        # Back-channel logout (`logout.backchannel_path`): the identity provider POSTs
        # a logout token here, server to server; register public_url + this path as
        # the client's backchannel_logout_uri. It ends the sessions the token names on
        # every oidc-fcgi sharing the session store. No cookie, no login.
        <Location "\#(paths.backchannelLogout)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            # A logout token is a few KiB; refuse anything larger before oidc-fcgi.
            LimitRequestBody 32768
            SetEnv OIDC_ACTION backchannel-logout
            ProxyPass "\#(fastcgiURL)"
        </Location>

        # Front-channel logout (`logout.frontchannel_path`): the provider loads this in
        # an iframe with ?iss=...&sid=...; register public_url + this path as the
        # client's frontchannel_logout_uri, with frontchannel_logout_session_required.
        <Location "\#(paths.frontchannelLogout)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            SetEnv OIDC_ACTION frontchannel-logout
            ProxyPass "\#(fastcgiURL)"
        </Location>
        """#
    }
}
