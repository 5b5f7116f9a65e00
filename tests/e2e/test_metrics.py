"""The metrics and health endpoints (`metrics.listen`): what an operator's
Prometheus and probes see after a login, an allowed and a denied request, a
session store outage and a provider outage."""

from __future__ import annotations

import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from harness.login import authorize_at_provider, browser, get, location, start_login
from harness.ports import free_port
from harness.stack import Stack, StackOptions


def _stack(request, store: str, **options) -> Stack:
    port = free_port()
    stack = Stack(StackOptions(store=store, label="metrics", extra_config={"metrics": {"listen": f"tcp:127.0.0.1:{port}"}}, **options))
    stack.metrics_url = f"http://127.0.0.1:{port}"
    request.addfinalizer(stack.stop)
    return stack.start()


def scrape(stack) -> dict[tuple, float]:
    """Every sample as {(name, sorted labels): value}."""
    response = requests.get(stack.metrics_url + "/metrics", timeout=5)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def delta(before, after, name, **labels) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def readiness(stack) -> requests.Response:
    return requests.get(stack.metrics_url + "/readyz", timeout=5)


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not {what} within {timeout} s"
        time.sleep(0.2)


@pytest.fixture
def memory_metrics_stack(request):
    return _stack(request, "memory")


@pytest.fixture
def memcached_metrics_stack(request):
    return _stack(request, "memcached")


def test_login_allow_and_deny_are_counted(memory_metrics_stack):
    stack = memory_metrics_stack
    before = scrape(stack)
    assert value(before, "oidc_fcgi_build_info", version=value_of_version(before)) == 1
    assert requests.get(stack.metrics_url + "/healthz", timeout=5).status_code == 200
    ready = readiness(stack)
    assert ready.status_code == 200, ready.text

    session = browser()
    sub = stack.new_user()
    stack.log_in(session, sub, path="/private")
    assert get(session, stack.url + "/private").status_code == 200
    denied = get(session, stack.url + "/staff/")
    assert denied.status_code == 403
    after = scrape(stack)

    assert delta(before, after, "oidc_fcgi_logins_started_total") == 1
    assert delta(before, after, "oidc_fcgi_logins_completed_total") == 1
    # The login's first request was a challenge, then the page after login and the one after it were allowed.
    assert delta(before, after, "oidc_fcgi_requests_total", action="auth", outcome="challenge") == 1
    # That challenge carried the login redirect: nginx sent it without asking again.
    assert delta(before, after, "oidc_fcgi_requests_total", action="login", outcome="challenge") == 0
    assert delta(before, after, "oidc_fcgi_requests_total", action="auth", outcome="allow") == 2
    assert delta(before, after, "oidc_fcgi_requests_total", action="auth", outcome="deny") == 1
    assert delta(before, after, "oidc_fcgi_requests_total", action="callback", outcome="challenge") == 1
    assert delta(before, after, "oidc_fcgi_request_duration_seconds_count", action="auth") == 4
    assert delta(before, after, "oidc_fcgi_provider_requests_total", endpoint="token", outcome="ok") == 1
    assert delta(before, after, "oidc_fcgi_provider_request_duration_seconds_count", endpoint="token") == 1
    assert delta(before, after, "oidc_fcgi_store_operations_total", server="memory", operation="set", outcome="ok") >= 1
    assert value(after, "oidc_fcgi_workers_busy") == 0
    # No user, cookie or path ever becomes a label value.
    text = requests.get(stack.metrics_url + "/metrics", timeout=5).text
    assert sub not in text and "/private" not in text and "/staff" not in text

    logout = get(session, stack.url + "/oidc/logout")
    assert logout.status_code == 302
    assert delta(after, scrape(stack), "oidc_fcgi_logouts_total", kind="rp-initiated") == 1


def value_of_version(samples) -> str:
    versions = [dict(labels)["version"] for (name, labels) in samples if name == "oidc_fcgi_build_info"]
    assert len(versions) == 1, versions
    return versions[0]


def test_other_paths_and_methods(memory_metrics_stack):
    stack = memory_metrics_stack
    assert requests.get(stack.metrics_url + "/", timeout=5).status_code == 404
    assert requests.get(stack.metrics_url + "/private", timeout=5).status_code == 404
    refused = requests.post(stack.metrics_url + "/metrics", data="x", timeout=5)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD"


def test_store_outage_is_counted_and_makes_the_instance_not_ready(memcached_metrics_stack):
    stack = memcached_metrics_stack
    server = stack.memcached.address
    session = browser()
    stack.log_in(session, stack.new_user())
    assert readiness(stack).status_code == 200
    before = scrape(stack)

    stack.memcached.stop()
    assert get(session, stack.url + "/private").status_code == 503
    not_ready = readiness(stack)
    assert not_ready.status_code == 503
    assert "not ready: session store" in not_ready.text, not_ready.text
    assert "provider" not in not_ready.text, "the providers' metadata is still loaded"
    after = scrape(stack)
    assert delta(before, after, "oidc_fcgi_requests_total", action="auth", outcome="unavailable") == 1
    assert delta(before, after, "oidc_fcgi_requests_total", action="auth", outcome="allow") == 0
    assert delta(before, after, "oidc_fcgi_store_operations_total", server=server, operation="get", outcome="error") >= 1

    stack.memcached.start()
    # The store is retried after session.memcached.retry_interval (2 s).
    wait_until(lambda: readiness(stack).status_code == 200, 15, "ready again after memcached returned")
    assert readiness(stack).text == "ready\n"


def test_readiness_asks_every_memcached_server(request):
    stack = _stack(request, "memcached", memcached_servers=2)
    assert readiness(stack).status_code == 200
    first, second = stack.memcacheds
    before = scrape(stack)
    second.stop()
    not_ready = readiness(stack)
    assert not_ready.status_code == 503
    lines = not_ready.text.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"not ready: session store: {second.address}: "), not_ready.text
    # Each server's calls are counted under its own address.
    assert readiness(stack).status_code == 503  # asked again at once: the failed server is skipped
    after = scrape(stack)
    calls = "oidc_fcgi_store_server_calls_total"
    assert delta(before, after, calls, server=second.address, outcome="failed") == 1
    assert delta(before, after, calls, server=second.address, outcome="skipped") >= 1
    assert delta(before, after, calls, server=first.address, outcome="answered") >= 2
    assert delta(before, after, calls, server=first.address, outcome="failed") == 0
    second.start()
    wait_until(lambda: readiness(stack).status_code == 200, 15, "ready again after the second memcached returned")


def test_provider_outage_is_counted(memory_metrics_stack):
    stack = memory_metrics_stack
    session = browser()
    start = start_login(session, stack.url + "/private", stack.authorization_endpoint())
    callback_url = location(authorize_at_provider(session, location(start), sub=stack.new_user()))
    before = scrape(stack)

    stack.provider.stop()
    failed = get(session, callback_url)
    assert failed.status_code in (502, 503), failed.status_code
    after = scrape(stack)
    assert delta(before, after, "oidc_fcgi_provider_requests_total", endpoint="token", outcome="failed") == 1
    assert delta(before, after, "oidc_fcgi_logins_failed_total", reason="provider_unavailable") == 1
    assert delta(before, after, "oidc_fcgi_logins_completed_total") == 0
    # Metadata loaded before the outage stays loaded: logins with a session are still possible.
    assert readiness(stack).status_code == 200


def test_not_ready_until_the_provider_metadata_is_loaded(request):
    port = free_port()
    stack = Stack(StackOptions(store="memory", label="metrics", start_provider=False,
                               extra_config={"metrics": {"listen": f"tcp:127.0.0.1:{port}"}}))
    stack.metrics_url = f"http://127.0.0.1:{port}"
    request.addfinalizer(stack.stop)
    stack.start()
    not_ready = readiness(stack)
    assert not_ready.status_code == 503
    assert "not ready: provider main: metadata not loaded" in not_ready.text, not_ready.text
    assert "session store" not in not_ready.text
    assert requests.get(stack.metrics_url + "/healthz", timeout=5).status_code == 200
    samples = scrape(stack)
    assert value(samples, "oidc_fcgi_provider_requests_total", endpoint="discovery", outcome="failed") >= 1


def test_a_location_can_leave_the_login_redirect_to_oidc_fcgi(memory_metrics_stack):
    """`set $oidc_login_in_auth_answer off;`: the 401 carries nothing, and
    @oidc_login asks oidc-fcgi for the redirect, as include files did before."""
    stack = memory_metrics_stack
    before = scrape(stack)
    kept = get(browser(), stack.url + "/redirect-from-oidc-fcgi/page")
    carried = get(browser(), stack.url + "/private")
    after = scrape(stack)
    for response in (kept, carried):
        assert response.status_code == 302 and location(response).startswith(stack.authorization_endpoint()), response.headers
        assert response.headers.get("Cache-Control") == "no-store"
    assert delta(before, after, "oidc_fcgi_logins_started_total") == 2
    assert delta(before, after, "oidc_fcgi_requests_total", action="auth", outcome="challenge") == 2
    # Only the location that opted out made the second request.
    assert delta(before, after, "oidc_fcgi_requests_total", action="login", outcome="challenge") == 1
