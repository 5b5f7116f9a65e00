"""memcached goes away: nobody gets in, nobody is logged out by a deleted
cookie, there is no redirect loop; memcached comes back: logins work."""

import time

from harness.login import API_HEADERS, browser, deletes_session_cookie, get, is_redirect_to, session_cookie


def test_store_down_denies_access_and_recovers(memcached_stack):
    stack = memcached_stack
    session = browser()
    sub = stack.new_user()
    stack.log_in(session, sub)
    cookie = session_cookie(session)
    assert get(session, stack.url + "/private").status_code == 200

    stack.memcached.stop()
    before = stack.upstream.count()
    for headers in ({}, API_HEADERS):
        response = get(session, stack.url + "/private", headers=headers)
        # oidc-fcgi answers 503; nginx's auth_request turns that into 500,
        # which nginx/oidc-fcgi-protect.conf shows as a retryable 503.
        assert response.status_code == 503, (response.status_code, response.headers, response.text[:300])
        assert response.headers.get("Retry-After")
        assert "Location" not in response.headers, "no redirect loop while the store is down"
        assert not deletes_session_cookie(response), response.headers.get("Set-Cookie")
    # Without any cookie it is no different: fail closed, no login started
    # that could not be finished.
    anonymous = get(browser(), stack.url + "/private")
    assert anonymous.status_code != 200
    assert stack.upstream.count() == before, "the application must not be reached"
    assert session_cookie(session) == cookie, "the browser keeps its cookie"

    # memcached is back (empty: sessions are gone). Within a bounded time the
    # old cookie leads to a fresh login, which works.
    stack.memcached.start()
    deadline = time.monotonic() + 15
    while True:
        response = get(session, stack.url + "/private")
        if is_redirect_to(response, stack.authorization_endpoint()):
            break
        assert response.status_code != 200, "a session lost with the store must not be served"
        assert time.monotonic() < deadline, f"no recovery 15 s after memcached returned: {response.status_code}"
        time.sleep(0.5)
    fresh = browser()
    trace = stack.log_in(fresh, sub)
    assert stack.upstream.received()[-1].header("X-Remote-User") == sub
    assert trace.page.status_code == 200


def test_oidc_fcgi_down_denies_access(memory_stack):
    stack = memory_stack
    session = browser()
    stack.log_in(session, stack.new_user())
    stack.oidc.stop()
    before = stack.upstream.count()
    for s in (session, browser()):
        response = get(s, stack.url + "/private")
        assert response.status_code == 503, (response.status_code, response.text[:300])
        assert "Location" not in response.headers
        assert not deletes_session_cookie(response)
    assert stack.upstream.count() == before
