/// nginx's `oidc-fcgi-server.conf`: the auth subrequest with buffers sized
/// for `headers.max_total_bytes`, the login, error and endpoint locations at
/// the configured paths.
struct NginxServerSnippet {
    let paths: EndpointPaths
    let maxIdentityBytes: Int

    var buffers: AuthAnswerBuffers { AuthAnswerBuffers(maxIdentityBytes: maxIdentityBytes) }

    var text: String {
        #"""
        # oidc-fcgi: the endpoints, included once per server block.
        #
        #     server {
        #         ...
        #         include oidc-fcgi/oidc-fcgi-server.conf;
        #         location / {
        #             include oidc-fcgi/oidc-fcgi-protect.conf;
        #             proxy_pass http://app;
        #         }
        #     }
        #
        # Needs an upstream named `oidc_fcgi` at http level, for example
        #
        #     upstream oidc_fcgi { server unix:/run/oidc-fcgi/oidc-fcgi.sock; }
        #
        # and `public_url` + `redirect_path` in the oidc-fcgi config must match this
        # server's scheme, host, port and the callback location below.
        #
        # Per-location choices, set in the protected location before its include
        # (the auth subrequest and the login location share the request's
        # variables, so they see these values):
        #   set $oidc_provider <name>;          a provider other than the first
        #   set $oidc_provider "<name> <name>"; any of these providers; a browser
        #                                       without a session chooses on a page
        #   set $oidc_mode either;              browser (default), api, either
        #                                       (oidc-fcgi-api.conf sets api itself)
        #   set $oidc_require_scope "a b";      API tokens must carry every scope
        #   set $oidc_require_audience <aud>;   API tokens must carry this audience
        #   set $oidc_pass_access_token on;     the session's access token for the
        #                                       application (oidc-fcgi-access-token.conf)
        #   set $oidc_max_age 0;                a sign-in at most this many seconds old
        #                                       (0: a fresh one for this visit)
        #   set $oidc_acr_values "urn:mfa";     a sign-in with one of these acr values
        #   set $oidc_auth_params "prompt=login&ui_locales=de";
        #                                       more authorization request parameters
        #                                       (prompt, login_hint, ui_locales, claims_locales,
        #                                       display, resource, domain_hint)
        #   set $oidc_login_in_auth_answer off; the login redirect from oidc-fcgi's own
        #                                       answer (with the server's add_header lines)
        #                                       instead of nginx's return 302 (see below)

        # The auth_request target. Answers 200 + identity headers, 401 (no valid
        # session) or 503 (session store down). nginx turns any answer other than
        # 2xx/401/403 - and an unreachable oidc-fcgi - into a 500, which
        # oidc-fcgi-protect.conf shows as @oidc_unavailable below.
        location = /_oidc/auth {
            internal;

            # Room for the whole auth answer: identity headers up to
            # headers.max_total_bytes (\#(maxIdentityBytes) bytes here) plus the Cookie header
            # handed back for the application (at most 8 KiB) and, where asked for,
            # the access token (at most 8 KiB).
            fastcgi_buffer_size \#(buffers.headerKiB)k;
            fastcgi_buffers \#(buffers.bufferCount) \#(AuthAnswerBuffers.bufferKiB)k;

            # Declares the per-location variables and keeps whatever the protected
            # location set. (A plain `set $oidc_provider main;` here would overwrite it.)
            set $oidc_provider $oidc_provider;
            set $oidc_mode $oidc_mode;
            set $oidc_require_scope $oidc_require_scope;
            set $oidc_require_audience $oidc_require_audience;
            set $oidc_unauthenticated $oidc_unauthenticated;
            set $oidc_require $oidc_require;
            set $oidc_pass_access_token $oidc_pass_access_token;
            set $oidc_max_age $oidc_max_age;
            set $oidc_acr_values $oidc_acr_values;
            set $oidc_auth_params $oidc_auth_params;
            set $oidc_login_in_auth_answer $oidc_login_in_auth_answer;
            uninitialized_variable_warn off;

            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION auth;
            fastcgi_param OIDC_PROVIDER $oidc_provider if_not_empty;
            fastcgi_param OIDC_MODE $oidc_mode if_not_empty;
            fastcgi_param OIDC_REQUIRE_SCOPE $oidc_require_scope if_not_empty;
            fastcgi_param OIDC_REQUIRE_AUDIENCE $oidc_require_audience if_not_empty;
            # `set $oidc_unauthenticated pass;` (or `401`) in a location: see the README.
            fastcgi_param OIDC_UNAUTHENTICATED $oidc_unauthenticated if_not_empty;
            # `set $oidc_require "groups:admins";` in a location: who may enter (README).
            fastcgi_param OIDC_REQUIRE $oidc_require if_not_empty;
            # `set $oidc_pass_access_token on;` in a location: the answer carries the
            # session's access token (refreshed first when it is about to expire) in
            # OIDC-Access-Token; without it no token work is done at all.
            fastcgi_param OIDC_PASS_ACCESS_TOKEN $oidc_pass_access_token if_not_empty;
            # `set $oidc_max_age 300;` / `set $oidc_acr_values "urn:mfa";` in a
            # location: a session whose sign-in is older or weaker gets 401, and
            # @oidc_login asks the provider for a new sign-in with them (README, Step-up).
            fastcgi_param OIDC_MAX_AGE $oidc_max_age if_not_empty;
            fastcgi_param OIDC_ACR_VALUES $oidc_acr_values if_not_empty;
            fastcgi_param OIDC_AUTH_PARAMS $oidc_auth_params if_not_empty;
            # With all of the above, a 401 for a browser without a session carries
            # the login redirect itself (OIDC-Login-Location, OIDC-Login-Cookie-1..5):
            # @oidc_login sends it without a second request to oidc-fcgi. That 302
            # then has only @oidc_login's own add_header lines (nginx does not add a
            # server's add_header lines where a location has some): where the login
            # redirect must carry them, `set $oidc_login_in_auth_answer off;` in the
            # server or location (oidc-fcgi then answers @oidc_login, as it used to).
            fastcgi_param OIDC_LOGIN_IN_AUTH_ANSWER $oidc_login_in_auth_answer;
            # The request's Authorization header arrives as HTTP_AUTHORIZATION (nginx
            # passes every request header); bearer tokens are read from it.

            # The auth answer is about headers only: never send the request body.
            fastcgi_pass_request_body off;
            fastcgi_param CONTENT_LENGTH "";
            fastcgi_param CONTENT_TYPE "";
        }

        # Reached through `error_page 401 = @oidc_login` when the auth answer was 401:
        # a 302 to the identity provider (and a login-state cookie) for navigations
        # (at a location with several providers, a 401 page to choose one, whose links
        # go to /oidc/login below),
        # a 401 with a small JSON body for XHR/API requests. REQUEST_URI still holds
        # the original request, which becomes the return URL after login.
        location @oidc_login {
            uninitialized_variable_warn off;
            # Declared here too, for servers whose locations all use the api include.
            set $oidc_recheck $oidc_recheck;
            set $oidc_max_age $oidc_max_age;
            set $oidc_acr_values $oidc_acr_values;
            set $oidc_auth_params $oidc_auth_params;
            set $oidc_login_location $oidc_login_location;
            set $oidc_login_cookie_1 $oidc_login_cookie_1;
            set $oidc_login_cookie_2 $oidc_login_cookie_2;
            set $oidc_login_cookie_3 $oidc_login_cookie_3;
            set $oidc_login_cookie_4 $oidc_login_cookie_4;
            set $oidc_login_cookie_5 $oidc_login_cookie_5;
            # The auth answer already started the login: send its redirect and
            # login-state cookies (an empty one is not sent).
            if ($oidc_login_location) {
                add_header Set-Cookie $oidc_login_cookie_1 always;
                add_header Set-Cookie $oidc_login_cookie_2 always;
                add_header Set-Cookie $oidc_login_cookie_3 always;
                add_header Set-Cookie $oidc_login_cookie_4 always;
                add_header Set-Cookie $oidc_login_cookie_5 always;
                add_header Cache-Control "no-store" always;
                return 302 $oidc_login_location;
            }
            fastcgi_buffer_size 16k;
            fastcgi_buffers 8 16k;

            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION login;
            fastcgi_param OIDC_PROVIDER $oidc_provider if_not_empty;
            # An `either` location sends a refused bearer token here too: oidc-fcgi
            # answers it with its Bearer challenge, never with a redirect.
            fastcgi_param OIDC_MODE $oidc_mode if_not_empty;
            fastcgi_param OIDC_REQUIRE_SCOPE $oidc_require_scope if_not_empty;
            fastcgi_param OIDC_REQUIRE_AUDIENCE $oidc_require_audience if_not_empty;
            fastcgi_param OIDC_UNAUTHENTICATED $oidc_unauthenticated if_not_empty;
            # From the auth answer's OIDC-Recheck: a silent re-check (prompt=none).
            fastcgi_param OIDC_RECHECK $oidc_recheck if_not_empty;
            # The location's step-up demand: sent as max_age / acr_values, checked in the ID token.
            fastcgi_param OIDC_MAX_AGE $oidc_max_age if_not_empty;
            fastcgi_param OIDC_ACR_VALUES $oidc_acr_values if_not_empty;
            # More authorization request parameters of the location's logins.
            fastcgi_param OIDC_AUTH_PARAMS $oidc_auth_params if_not_empty;

            fastcgi_pass_request_body off;
            fastcgi_param CONTENT_LENGTH "";
            fastcgi_param CONTENT_TYPE "";
        }

        # The auth answer was a 503 (session store down) or could not be had: fail
        # closed with oidc-fcgi's own 503 page (the error template, JSON for API
        # clients, Retry-After) rather than a bare 500. No cookie is touched, and no
        # login is started that could not be finished. When oidc-fcgi itself cannot
        # be reached, @oidc_down answers instead (this needs `recursive_error_pages
        # on`, which the protect and api include files set).
        location @oidc_unavailable {
            uninitialized_variable_warn off;
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION unavailable;
            fastcgi_param OIDC_MODE $oidc_mode if_not_empty;
            fastcgi_pass_request_body off;
            fastcgi_param CONTENT_LENGTH "";
            fastcgi_param CONTENT_TYPE "";
            error_page 500 502 503 504 = @oidc_down;
        }

        # oidc-fcgi is not running or not answering: a static 503 page, the last resort.
        location @oidc_down {
            default_type text/html;
            add_header Retry-After 10 always;
            add_header Cache-Control "no-store" always;
            add_header Content-Security-Policy "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" always;
            return 503 '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Sign-in unavailable</title><meta name="viewport" content="width=device-width, initial-scale=1"><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head><body><h1>Sign-in unavailable</h1><p>Sign-in is temporarily unavailable. Please try again in a moment.</p><p><a href="/">Go to the start page</a></p></body></html>\n';
        }

        # The auth answer was 403: a session or token the location's claim rule
        # (`$oidc_require`) does not admit, an API token without a required scope, or
        # an identity that cannot be passed on. oidc-fcgi writes the answer from what
        # the auth answer said: a page for browsers, JSON and the Bearer challenge
        # (which nginx does not copy from a 403 auth answer) for everything else.
        location @oidc_forbidden {
            internal;
            uninitialized_variable_warn off;
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION forbidden;
            fastcgi_param OIDC_MODE $oidc_mode if_not_empty;
            fastcgi_param OIDC_ERROR_BODY $oidc_error_body if_not_empty;
            fastcgi_param OIDC_WWW_AUTHENTICATE $oidc_www_authenticate if_not_empty;
            fastcgi_pass_request_body off;
            fastcgi_param CONTENT_LENGTH "";
            fastcgi_param CONTENT_TYPE "";
        }

        # An API location's 401: nginx has already copied the auth answer's
        # WWW-Authenticate (Bearer realm, error, error_description); the body is
        # oidc-fcgi's small JSON.
        location @oidc_api_unauthorized {
            internal;
            default_type application/json;
            add_header Cache-Control "no-store" always;
            return 401 "$oidc_error_body\n";
        }

        # An API location whose token cannot be checked now (provider or store
        # unreachable, or oidc-fcgi itself down): 503 with Retry-After, never an
        # allow; oidc-fcgi's JSON with a correlation id, or @oidc_api_down's.
        location @oidc_api_unavailable {
            internal;
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION unavailable;
            fastcgi_param OIDC_MODE api;
            fastcgi_pass_request_body off;
            fastcgi_param CONTENT_LENGTH "";
            fastcgi_param CONTENT_TYPE "";
            error_page 500 502 503 504 = @oidc_api_down;
        }

        location @oidc_api_down {
            internal;
            default_type application/json;
            add_header Retry-After 10 always;
            add_header Cache-Control "no-store" always;
            return 503 '{"error":"temporarily_unavailable","error_description":"Access tokens cannot be checked right now"}\n';
        }

        # The redirect URI registered at the identity provider (`redirect_path`).
        location = \#(paths.callback) {
            fastcgi_buffer_size 16k;
            fastcgi_buffers 8 16k;
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION callback;
        }

        # Login links and third-party-initiated login (OpenID Connect Core §4):
        # /oidc/login?target_link_uri=/reports&iss=<issuer>&login_hint=<user>, by GET
        # or a POSTed form. Register public_url + /oidc/login as the client's
        # initiate_login_uri. target_link_uri obeys the same return-URL policy as every
        # return target; an unknown iss or a refused target is a 400.
        location = \#(EndpointPaths.loginLink) {
            client_max_body_size 16k;
            fastcgi_buffer_size 16k;
            fastcgi_buffers 8 16k;
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION login-link;
        }

        # Ends the session, clears the cookie, redirects to the provider's
        # end_session endpoint (or to /).
        location = \#(paths.logout) {
            fastcgi_buffer_size 16k;
            fastcgi_buffers 8 16k;
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION logout;
        }

        # Back-channel logout (`logout.backchannel_path`): the identity provider POSTs
        # a logout token here, server to server; register public_url + this path as
        # the client's backchannel_logout_uri. It ends the sessions the token names on
        # every oidc-fcgi sharing the session store. No cookie, no login.
        location = \#(paths.backchannelLogout) {
            # A logout token is a few KiB; refuse anything larger before oidc-fcgi.
            client_max_body_size 32k;
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION backchannel-logout;
        }

        # Front-channel logout (`logout.frontchannel_path`): the provider loads this in
        # an iframe with ?iss=…&sid=…; register public_url + this path as the client's
        # frontchannel_logout_uri, with frontchannel_logout_session_required.
        location = \#(paths.frontchannelLogout) {
            fastcgi_pass oidc_fcgi;
            include fastcgi_params;
            fastcgi_param OIDC_ACTION frontchannel-logout;
            fastcgi_pass_request_body off;
            fastcgi_param CONTENT_LENGTH "";
        }
        """#
    }
}
