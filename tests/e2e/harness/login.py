"""A user's login, scripted with requests: the protected page redirects to the
provider, the user types a `sub` into its form, the provider redirects to
/oidc/callback, which redirects back to the page. Every hop is checked and
followed by hand (no automatic redirects), with timeouts."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from .oidc_fcgi import SESSION_COOKIE

TIMEOUT = 10

# What a browser sends for a top-level navigation.
NAVIGATION_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Site": "none",
    "Sec-Fetch-User": "?1",
    "Upgrade-Insecure-Requests": "1",
    "User-Agent": "oidc-fcgi-e2e/1.0",
}

API_HEADERS = {
    "Accept": "application/json",
    "X-Requested-With": "XMLHttpRequest",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Dest": "empty",
}


def browser() -> requests.Session:
    """A requests session that behaves like a browser tab: cookie jar and
    navigation headers, never following redirects on its own."""
    s = requests.Session()
    s.headers.update(NAVIGATION_HEADERS)
    return s


def get(session: requests.Session, url: str, **kw) -> requests.Response:
    return session.get(url, allow_redirects=False, timeout=TIMEOUT, **kw)


def location(response: requests.Response) -> str:
    """The absolute URL a redirect points to."""
    return urljoin(response.url, response.headers["Location"])


def is_redirect_to(response: requests.Response, prefix: str) -> bool:
    return response.status_code in (302, 303, 307) and location(response).startswith(prefix)


def session_cookie(session: requests.Session) -> str | None:
    for cookie in session.cookies:
        if cookie.name == SESSION_COOKIE and cookie.value:
            return cookie.value
    return None


def set_cookie_headers(response: requests.Response) -> list[str]:
    raw = getattr(response.raw, "headers", None)
    if raw is not None and hasattr(raw, "getlist"):
        return raw.getlist("Set-Cookie")
    value = response.headers.get("Set-Cookie")
    return [value] if value else []


def sets_session_cookie(response: requests.Response) -> bool:
    """True when the response gives the browser a (non-empty) session cookie."""
    for header in set_cookie_headers(response):
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0].strip().strip('"')
        expired = "max-age=0" in header.lower().replace(" ", "") or "1970" in header
        if name.strip() == SESSION_COOKIE and value and not expired:
            return True
    return False


def deletes_session_cookie(response: requests.Response) -> bool:
    for header in set_cookie_headers(response):
        name, _, rest = header.partition("=")
        if name.strip() != SESSION_COOKIE:
            continue
        value = rest.split(";", 1)[0].strip().strip('"')
        lowered = header.lower().replace(" ", "")
        if not value or "max-age=0" in lowered or "max-age=-" in lowered or "1970" in header:
            return True
    return False


@dataclass
class LoginTrace:
    start: requests.Response  # the protected page's 302 to the provider
    authorize_url: str
    provider_answer: requests.Response  # the form post's 302 to the callback
    callback_url: str
    callback: requests.Response  # /oidc/callback's 302 back
    page: requests.Response  # the protected page, finally
    hops: list[requests.Response] = field(default_factory=list)


class LoginFailed(AssertionError):
    pass


def expect(condition: bool, message: str, response: requests.Response | None = None) -> None:
    if not condition:
        detail = ""
        if response is not None:
            detail = (
                f"\n  {response.request.method} {response.url} -> {response.status_code}"
                f"\n  headers: {dict(response.headers)}\n  body: {response.text[:500]!r}"
            )
        raise LoginFailed(message + detail)


def start_login(session: requests.Session, url: str, authorization_endpoint: str, **kw) -> requests.Response:
    response = get(session, url, **kw)
    expect(
        is_redirect_to(response, authorization_endpoint),
        f"expected a redirect to the provider ({authorization_endpoint})",
        response,
    )
    return response


def authorize_at_provider(session: requests.Session, authorize_url: str, *, sub: str, deny: bool = False,
                          acr: str | None = None) -> requests.Response:
    """Submit the provider's login form (the form posts back to its own URL);
    `acr`: how the user signed in, as the ID token's `acr` will say."""
    data = {"action": "deny"} if deny else {"sub": sub, **({"acr": acr} if acr else {})}
    response = session.post(authorize_url, data=data, allow_redirects=False, timeout=TIMEOUT)
    expect(response.status_code == 302, "the provider did not redirect back after its login form", response)
    return response


def login(
    session: requests.Session,
    url: str,
    *,
    sub: str,
    authorization_endpoint: str,
    callback_prefix: str,
) -> LoginTrace:
    start = start_login(session, url, authorization_endpoint)
    authorize_url = location(start)
    query = parse_qs(urlsplit(authorize_url).query)
    expect(query.get("code_challenge_method") == ["S256"], f"no S256 PKCE challenge in {authorize_url}")
    answer = authorize_at_provider(session, authorize_url, sub=sub)
    callback_url = location(answer)
    expect(callback_url.startswith(callback_prefix), f"the provider redirected to {callback_url}, not the callback", answer)
    expect("code=" in callback_url, f"no code in {callback_url}", answer)
    callback = get(session, callback_url)
    expect(callback.status_code in (302, 303), "the callback did not redirect back to the page", callback)
    expect(sets_session_cookie(callback), "the callback set no session cookie", callback)
    back = location(callback)
    page = get(session, back)
    expect(page.status_code == 200, f"the page {back} was not served after login", page)
    return LoginTrace(start, authorize_url, answer, callback_url, callback, page, [start, answer, callback, page])


def logged_in(stack, session, via) -> bool:
    """True when `session` is let through `/private` by `via` (a stack or an
    instance with a `url`); False when it is sent to log in at `stack`'s provider."""
    response = get(session, via.url + "/private")
    if response.status_code == 200:
        return True
    assert is_redirect_to(response, stack.authorization_endpoint()), (response.status_code, response.headers)
    return False
