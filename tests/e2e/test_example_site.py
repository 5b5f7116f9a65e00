"""nginx/example-site.conf as shipped (only its addresses changed) protects
`/` and `/api/`, takes bearer tokens on `/api/v1/`, leaves `/public/` open
and keeps identities honest."""

import pytest

from harness.login import API_HEADERS, browser, get, is_redirect_to
from harness.oidc_fcgi import CLIENT_ID, CLIENT_SECRET
from harness.stack import Stack, StackOptions


@pytest.fixture(scope="module")
def example(request, oidc_fcgi_bin):
    stack = Stack(StackOptions(store="memory", site="example", label="example"))
    request.addfinalizer(stack.stop)
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the example site did not start: {error}\n{stack.logs()}", pytrace=False)
    return stack


def test_example_site_login_and_identity(example):
    sub = example.new_user()
    session = browser()
    example.log_in(session, sub, path="/docs/")
    request = example.upstream.received()[-1]
    assert request.header_values("X-Remote-User") == [sub]
    assert request.header("Host") == "127.0.0.1", "the example passes Host on"
    assert request.header("X-Forwarded-Proto") == "http"
    api = get(session, example.url + "/api/items", headers={**API_HEADERS, "X-Remote-User": "admin"})
    assert api.status_code == 200
    assert example.upstream.received()[-1].header_values("X-Remote-User") == [sub]


def test_example_site_public_and_api_without_session(example):
    before = example.upstream.count()
    assert is_redirect_to(get(browser(), example.url + "/docs/"), example.authorization_endpoint())
    assert get(browser(), example.url + "/api/items", headers=API_HEADERS).status_code == 401
    assert example.upstream.count() == before
    public = get(browser(), example.url + "/public/page", headers={"X-Remote-User": "admin"})
    assert public.status_code == 200
    request = example.upstream.received()[-1]
    assert request.path == "/public/page"
    assert request.header("X-Remote-User") is None


def test_example_site_api_takes_bearer_tokens(example):
    before = example.upstream.count()
    anonymous = get(browser(), example.url + "/api/v1/orders")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer realm=")
    assert example.upstream.count() == before
    token = example.provider.client_credentials_token(CLIENT_ID, CLIENT_SECRET)["access_token"]
    answer = get(browser(), example.url + "/api/v1/orders",
                 headers={"Authorization": f"Bearer {token}", "X-Remote-Client-Id": "admin"})
    assert answer.status_code == 200
    request = example.upstream.received()[-1]
    assert request.path == "/api/v1/orders"
    assert request.header_values("X-Remote-Client-Id") == [CLIENT_ID]
    assert request.header_values("X-Remote-User") == [CLIENT_ID]
