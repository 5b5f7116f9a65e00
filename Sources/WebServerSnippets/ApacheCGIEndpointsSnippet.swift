/// Apache's `oidc-fcgi-endpoints-cgi.conf`: the endpoints at the configured
/// paths, each run as a CGI program that reads this configuration file.
struct ApacheCGIEndpointsSnippet {
    let paths: EndpointPaths
    let configFile: String
    let binary: String

    var text: String {
        #"""
        # oidc-fcgi for Apache 2.4: the endpoints in CGI mode, for hosts where the
        # endpoints cannot reach a running oidc-fcgi: mod_cgid starts the binary for
        # each request, which reads its config, answers and exits. Use it instead of
        # oidc-fcgi-endpoints.conf, AFTER every protected <Location>.
        #
        # Costs one process start, one config load and (for the callback) one fetch
        # of the provider's metadata and keys per request: scripts/cgi-cost prints
        # the figure. Sessions must live in memcached (session.store: memcached),
        # shared with the oidc-fcgi that answers the authorizer (mod_authnz_fcgi needs
        # a FastCGI server on TCP; CGI cannot serve it).
        #
        # Modules: a2enmod cgid alias (plus those of oidc-fcgi-endpoints.conf). The
        # config file holds the session secret: make it readable by Apache's user only.

        <Location "\#(paths.callback)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            SetEnv OIDC_ACTION callback
            SetEnv OIDC_FCGI_CONFIG \#(configFile)
            # One-argument ScriptAlias in a <Location> (Apache 2.4.26 and later).
            ScriptAlias "\#(binary)"
        </Location>

        <Location "\#(EndpointPaths.loginLink)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            LimitRequestBody 16384
            SetEnv OIDC_ACTION login-link
            SetEnv OIDC_FCGI_CONFIG \#(configFile)
            ScriptAlias "\#(binary)"
        </Location>

        <Location "\#(paths.logout)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            SetEnv OIDC_ACTION logout
            SetEnv OIDC_FCGI_CONFIG \#(configFile)
            ScriptAlias "\#(binary)"
        </Location>

        # Back-channel logout: the provider POSTs a logout token here (see
        # oidc-fcgi-endpoints.conf). The jti replay check lives in memcached, so it
        # holds across CGI runs and every instance.
        <Location "\#(paths.backchannelLogout)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            LimitRequestBody 32768
            SetEnv OIDC_ACTION backchannel-logout
            SetEnv OIDC_FCGI_CONFIG \#(configFile)
            ScriptAlias "\#(binary)"
        </Location>

        # Front-channel logout: the provider's iframe, ?iss=...&sid=...
        <Location "\#(paths.frontchannelLogout)">
            AuthnzFcgiCheckAuthnProvider None
            Require all granted
            SetEnv OIDC_ACTION frontchannel-logout
            SetEnv OIDC_FCGI_CONFIG \#(configFile)
            ScriptAlias "\#(binary)"
        </Location>
        """#
    }
}
