"""`log_format: json`: every line oidc-fcgi writes is one JSON object with
time, level and event; a login and an error page's correlation id are
fields a log collector can query; no cookie or token is in any line."""

import json
import re

import pytest

from harness.login import browser, get
from harness.stack import Stack, StackOptions


@pytest.fixture(scope="module")
def jstack(oidc_fcgi_bin):
    stack = Stack(StackOptions(store="memory", label="jsonlog", log_level="info", extra_config={"log_format": "json"}))
    try:
        stack.start()
    except BaseException:
        print(stack.logs())
        raise
    yield stack
    stack.stop()


def events(stack: Stack) -> list[dict]:
    # The harness writes its own "--- … start:" lines into the same file.
    lines = [line for line in stack.oidc.process.log_text().splitlines() if line and not line.startswith("---")]
    return [json.loads(line) for line in lines]


def test_every_line_is_a_json_event_and_a_login_is_queryable(jstack):
    session = browser()
    sub = jstack.new_user()
    jstack.log_in(session, sub, "/private")
    all_events = events(jstack)
    assert all_events, "no log lines"
    assert all({"time", "level", "event"} <= set(e) for e in all_events), all_events[:3]
    logins = [e for e in all_events if e["event"] == "login succeeded"]
    assert logins and logins[-1]["user"] == sub and logins[-1]["provider"] == "main", logins
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", logins[-1]["time"]), logins[-1]["time"]
    text = jstack.oidc.process.log_text()
    assert session.cookies.get("oidc_session") not in text, "a session cookie is in the log"


def test_an_error_pages_correlation_id_is_a_field(jstack):
    page = get(browser(), f"{jstack.url}/oidc/callback?code=abc&state={'A' * 43}")
    assert page.status_code == 400
    reference = re.search(r"Reference ([0-9a-f]{24})", page.text).group(1)
    matching = [e for e in events(jstack) if e.get("correlation_id") == reference]
    assert len(matching) == 1 and matching[0]["level"] == "warning", matching
    assert "login rejected" in matching[0]["event"]
