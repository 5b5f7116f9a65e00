"""Three memcached servers with `session.memcached.replicas: 1`: every session
is on two of them, so one server killed (SIGKILL) or hung (SIGSTOP) under load
logs nobody out and lets nobody in who should not be.

Without replicas the same faults answer 503 for the sessions on the failed
server (test_store_faults.py); here every answer stays a 200 as its own user,
a session logged out before the fault stays logged out, a forged cookie is
still sent to log in, and a new login completes while the server is down."""

from __future__ import annotations

import secrets
import time
from contextlib import contextmanager

import pytest

from harness.login import browser, get, is_redirect_to, location, session_cookie
from harness.oidc_fcgi import SESSION_COOKIE
from harness.stack import Stack
from test_store_faults import (
    MEMCACHED_OPTIONS,
    Load,
    User,
    _stack as store_stack,
    figures,
    frozen,
    holds,
    log_in_users,
    served_as_self,
    store_key,
)

REPLICATED = {**MEMCACHED_OPTIONS, "replicas": 1}


def _stack(request) -> Stack:
    return store_stack(request, label="store-replicas", memcached_servers=3, memcached_options=REPLICATED)


def copies(stack: Stack, cookie: str) -> list[int]:
    """The servers holding the session of `cookie`, asked of each one directly."""
    return [i for i, m in enumerate(stack.memcacheds) if holds(m, store_key(cookie))]


@contextmanager
def fault(stack: Stack, server: int, kind: str):
    victim = stack.memcacheds[server]
    if kind == "kill":
        victim.kill()
        yield
    else:
        with frozen(victim):
            yield


@pytest.mark.parametrize("kind", ["kill", "stop"])
def test_one_of_three_servers_failing_under_load_loses_no_session(request, kind):
    stack = _stack(request)
    # Log in until the failing server holds a copy of at least three sessions.
    victim = 0
    users: list[User] = []
    for _ in range(30):
        [user] = log_in_users(stack, 1)
        where = copies(stack, user.cookie)
        assert len(where) == 2, f"session {store_key(user.cookie)} is on servers {where}, expected two copies"
        users.append(user)
        if sum(victim in copies(stack, u.cookie) for u in users) >= 3 and len(users) >= 6:
            break
    on_victim = [u for u in users if victim in copies(stack, u.cookie)]
    assert len(on_victim) >= 3, f"30 logins put only {len(on_victim)} sessions on server {victim}"

    # Logged out before the fault: both copies are gone, and stay gone.
    [leaver] = log_in_users(stack, 1)
    left_cookie = leaver.cookie
    response = get(leaver.session, stack.url + "/oidc/logout")
    assert response.status_code in (302, 303), response.status_code
    assert not copies(stack, left_cookie), "logout left a copy behind"

    window = 4.0
    upstream_before = stack.upstream.count()
    with fault(stack, victim, kind):
        with Load(stack, users, threads=16) as load:
            time.sleep(window)
            # A new login completes while the server is down or hung.
            [newcomer] = log_in_users(stack, 1)
            assert served_as_self(newcomer, stack)
            # Nobody gets in wrongly: the logged-out cookie and a forged one go to log in.
            for cookie in (left_cookie, secrets.token_urlsafe(32)):
                tab = _with_cookie(stack, cookie)
                answer = get(tab, stack.url + "/private")
                assert is_redirect_to(answer, stack.authorization_endpoint()), (answer.status_code, location(answer))
        answers = load.snapshot()
    on_failed = [a for a in answers if a.sub in {u.sub for u in on_victim}]
    print(f"\none of three memcached {'SIGKILLed' if kind == 'kill' else 'SIGSTOPped'} with replicas: 1, 16 tabs: "
          f"all sessions {figures(answers, window)}; sessions with a copy on it {figures(on_failed, window)}")

    bad = [a for a in answers if a.status != 200 or a.user != a.sub]
    assert not bad, f"{len(bad)} of {len(answers)} answers were not a 200 as their own user: {bad[:3]}"
    assert len(on_failed) >= 50, f"only {len(on_failed)} answers for the sessions on the failed server"
    assert stack.upstream.count() - upstream_before >= len(answers)
    for user in users:
        assert session_cookie(user.session) == user.cookie, "a browser lost its session cookie"

    # Thawed or still dead: every session is still served as itself.
    assert all(served_as_self(u, stack) for u in users)


def _with_cookie(stack: Stack, cookie: str):
    tab = browser()
    tab.cookies.set(SESSION_COOKIE, cookie, domain="127.0.0.1", path="/")
    return tab
