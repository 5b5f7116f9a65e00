"""Every error a person sees renders through the operator's template (site
name, correlation id that is also in the log, escaped provider text, a way
back to the page they wanted); API clients get JSON with the same id; every
503 carries Retry-After; and when oidc-fcgi itself is down nginx still shows
a page, not plain text."""

import re
import uuid
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from harness.login import API_HEADERS, NAVIGATION_HEADERS, authorize_at_provider, browser, get, location, set_cookie_headers, start_login
from harness.oidc_fcgi import STATE_COOKIE_PREFIX
from harness.stack import Stack, StackOptions

TEMPLATE = """<!DOCTYPE html>
<html><head><title>ACME {{title}}</title></head><body data-template="acme">
<h1 id="title">{{title}}</h1><p id="message">{{message}}</p><p id="code">{{status}} {{error}}</p>
{{#error_description}}<p id="detail">{{error_description}}</p>{{/error_description}}
<p id="site">{{site_name}}</p><p id="ref">{{correlation_id}}</p>
{{#try_again_url}}<a id="again" href="{{try_again_url}}">again</a>{{/try_again_url}}<a id="start" href="{{start_url}}">start</a>
</body></html>
"""


@pytest.fixture(scope="module")
def pstack(oidc_fcgi_bin, tmp_path_factory):
    template = tmp_path_factory.mktemp("pages") / "error.html"
    template.write_text(TEMPLATE)
    stack = Stack(StackOptions(
        store="memcached", label="pages", partner_via_proxy=True, proxy_hangs=("/.well-known/openid-configuration",),
        await_metadata=("main",), extra_config={"pages": {"error_template": str(template), "site_name": "Acme <Reports>"}}))
    try:
        stack.start()
    except BaseException:
        print(stack.logs())
        raise
    yield stack
    stack.stop()


def field(page, name: str) -> str:
    found = re.search(rf'id="{name}"[^>]*>(.*?)<', page.text, re.S)
    assert found, f"no #{name} in {page.text[:400]!r}"
    return found.group(1)


def assert_templated(stack: Stack, page, status: int, title: str):
    assert page.status_code == status, (page.status_code, page.text[:400])
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'data-template="acme"' in page.text, "the operator's template was not used"
    assert field(page, "title") == title
    assert field(page, "site") == "Acme &lt;Reports&gt;"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    if status == 503:
        assert int(page.headers["Retry-After"]) > 0
    reference = field(page, "ref")
    assert re.fullmatch(r"[0-9a-f]{24}", reference), reference
    assert f"correlation_id={reference}" in stack.oidc.process.log_text(), "the page's reference is not in the log"
    return reference


def started_login(stack: Stack, path: str):
    session = browser()
    start = start_login(session, stack.url + path, stack.authorization_endpoint())
    return session, parse_qs(urlsplit(location(start)).query)


def test_a_provider_error_is_in_plain_words_with_its_description_escaped(pstack):
    wanted = f"/private/report-{uuid.uuid4().hex[:6]}"
    session, authorize = started_login(pstack, wanted)
    description = quote("<script>alert(document.cookie)</script> the user said no")
    page = get(session, f"{pstack.url}/oidc/callback?error=access_denied&error_description={description}&state={authorize['state'][0]}")
    assert_templated(pstack, page, 403, "Sign-in was cancelled")
    assert "<script>" not in page.text
    assert field(page, "detail") == "&lt;script&gt;alert(document.cookie)&lt;/script&gt; the user said no"
    assert field(page, "code") == "403 access_denied"
    assert re.search(r'id="again" href="([^"]*)"', page.text).group(1) == pstack.url + wanted
    assert any(c.startswith(STATE_COOKIE_PREFIX) and "Max-Age=0" in c for c in set_cookie_headers(page))


def test_a_deny_without_state_is_a_cancelled_sign_in_and_cleans_up(pstack):
    session, _ = started_login(pstack, "/private/cancel")
    assert any(name.startswith(STATE_COOKIE_PREFIX) for name in session.cookies.keys())
    page = get(session, f"{pstack.url}/oidc/callback?error=access_denied")
    assert_templated(pstack, page, 403, "Sign-in was cancelled")
    assert "no state" not in page.text
    assert not any(name.startswith(STATE_COOKIE_PREFIX) for name in session.cookies.keys()), "the login-state cookie was left behind"


def test_a_state_problem_uses_the_template(pstack):
    page = get(browser(), f"{pstack.url}/oidc/callback?code=abc&state={'A' * 43}")
    assert_templated(pstack, page, 400, "Login failed")
    assert "not started in this browser" in field(page, "message")


def test_a_user_denied_by_a_rule_gets_the_template(pstack):
    session = browser()
    pstack.log_in(session, pstack.new_user(groups=["staff"]), "/private")
    page = get(session, pstack.url + "/admins/x")
    assert_templated(pstack, page, 403, "Access denied")
    assert "groups" not in page.text


def test_an_unreachable_provider_uses_the_template_with_retry_after(pstack):
    page = get(browser(), pstack.url + "/partner/x")
    assert_templated(pstack, page, 503, "Login unavailable")
    assert re.search(r'id="again" href="([^"]*)"', page.text).group(1) == pstack.url + "/partner/x"


def test_api_clients_get_json_with_the_correlation_id(pstack):
    session, authorize = started_login(pstack, "/private/api")
    answer = session.get(f"{pstack.url}/oidc/callback?error=server_error&error_description=%3Cb%3E&state={authorize['state'][0]}",
                         headers=API_HEADERS, allow_redirects=False, timeout=10)
    assert answer.status_code == 502
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert body["error"] == "server_error" and body["provider_error_description"] == "<b>"
    assert f"correlation_id={body['correlation_id']}" in pstack.oidc.process.log_text()


def test_the_store_outage_page_is_the_template_and_json_for_apis(pstack):
    session = browser()
    pstack.log_in(session, pstack.new_user(), "/private")
    pstack.memcached.stop()
    try:
        page = get(session, pstack.url + "/private/while-down")
        assert_templated(pstack, page, 503, "Sign-in unavailable")
        assert re.search(r'id="again" href="([^"]*)"', page.text).group(1) == pstack.url + "/private/while-down"
        api = get(session, pstack.url + "/private/while-down", headers=API_HEADERS)
        assert api.status_code == 503 and int(api.headers["Retry-After"]) > 0
        assert api.headers["Content-Type"] == "application/json"
        assert api.json()["error"] == "temporarily_unavailable"
        assert f"correlation_id={api.json()['correlation_id']}" in pstack.oidc.process.log_text()
    finally:
        pstack.memcached.start()


def test_with_oidc_fcgi_down_nginx_still_answers_a_page_or_json(pstack):
    # Last in this module: it stops this stack's oidc-fcgi.
    pstack.oidc.stop()
    page = get(browser(), pstack.url + "/private/x")
    assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<title>Sign-in unavailable</title>" in page.text
    api = get(browser(), pstack.url + "/bearer/x", headers={**API_HEADERS, "Authorization": "Bearer abc"})
    assert api.status_code == 503 and int(api.headers["Retry-After"]) > 0
    assert api.json()["error"] == "temporarily_unavailable"
