"""`cookie.persistent`: the session cookie outlives a browser restart only when
asked to (Max-Age = session.max_lifetime); by default it is a browser-session
cookie."""

import time

import pytest

from harness.login import browser, get
from harness.oidc_fcgi import SESSION_COOKIE
from harness.stack import Stack, StackOptions


@pytest.mark.parametrize("persistent", [False, True])
def test_session_cookie_lifetime_through_nginx(oidc_fcgi_bin, persistent):
    options = StackOptions(label="cookie-lifetime", max_lifetime="2h")
    if persistent:
        options.extra_config = {"cookie": {"persistent": True}}
    with Stack(options) as stack:
        session, sub = browser(), stack.new_user()
        stack.log_in(session, sub, "/private")
        cookie = next(c for c in session.cookies if c.name == SESSION_COOKIE)
        if persistent:
            assert cookie.expires is not None and abs(cookie.expires - (time.time() + 7200)) < 120, cookie.expires
        else:
            assert cookie.expires is None, "a browser-session cookie has no Max-Age or Expires"
        assert get(session, stack.url + "/private").status_code == 200
