"""SIGHUP: oidc-fcgi reads its configuration (and the secret files it names)
again without dropping a request; an invalid file changes nothing; sessions
survive a reload that keeps the store settings."""

from __future__ import annotations

import copy
import os
import signal
import threading
import time

import pytest

from harness.login import browser, get, is_redirect_to
from harness.oidc_fcgi import CLIENT_SECRET, write_config
from harness.stack import Stack, StackOptions

RELOADED = "configuration reloaded"
REFUSED = "configuration reload refused"
WAIT = 20  # seconds: bounds every wait below
OLD_SECRET = "reload-old-secret-0123456789abcdef-0123456789"
NEW_SECRET = "reload-new-secret-fedcba9876543210-9876543210"


def log_since(stack, offset: int) -> str:
    return stack.oidc.process.log_text()[offset:]


def reload(stack, config: dict | None, expect: str) -> str:
    """Writes `config` (None: leave the file), sends SIGHUP by PID and waits
    for the line saying how the reload ended; returns the log it added."""
    process = stack.oidc.process
    offset = len(process.log_text())
    if config is not None:
        write_config(stack.oidc.config_path, config)
    os.kill(process.pid, signal.SIGHUP)
    final = REFUSED + "; still running" if expect == REFUSED else RELOADED
    process.wait_ready(lambda: final in log_since(stack, offset), WAIT, f"logged '{final}'")
    assert process.alive(), process.log_tail()
    return log_since(stack, offset)


def name_header(stack) -> list[str]:
    return stack.upstream.received()[-1].header_values("X-Remote-Name")


def with_name_claim(config: dict, claim: str) -> dict:
    changed = copy.deepcopy(config)
    changed["headers"]["claims"] = {"X-Remote-Email": "email", "X-Remote-Name": claim}
    return changed


class RequestLoop:
    """A client that keeps making authenticated requests, counting every status."""

    def __init__(self, stack, session) -> None:
        self.stack, self.session = stack, session
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + 2 * WAIT
        while not self.stop.is_set() and time.monotonic() < deadline:
            self.statuses.append(get(self.session, self.stack.url + "/private/loop").status_code)

    def __enter__(self) -> "RequestLoop":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(WAIT)

    def wait_for(self, count: int) -> None:
        target = len(self.statuses) + count
        deadline = time.monotonic() + WAIT
        while len(self.statuses) < target and time.monotonic() < deadline and self.thread.is_alive():
            time.sleep(0.01)
        assert len(self.statuses) >= target, f"the client made only {len(self.statuses)} requests"


def test_header_mapping_change_applies_without_a_failed_request(memory_stack):
    stack = memory_stack
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    with RequestLoop(stack, session) as loop:
        loop.wait_for(20)
        before_reload = len(loop.statuses)
        log = reload(stack, with_name_claim(stack.oidc.config, "email"), RELOADED)
        loop.wait_for(20)
    assert before_reload > 0 and len(loop.statuses) > before_reload + 20
    assert set(loop.statuses) == {200}, f"statuses during the reload: { {s: loop.statuses.count(s) for s in set(loop.statuses)} }"
    assert name_header(stack) == [f"{sub}@example.test"], "the upstream must see the new mapping"
    assert "headers" in log and "sessions=kept" in log


def test_an_invalid_configuration_is_refused_and_a_fixed_one_applies_later(memory_stack):
    stack = memory_stack
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    broken = with_name_claim(stack.oidc.config, "email")
    broken["providers"][0].pop("client_id")
    broken["login"]["max_pending"] = 99
    log = reload(stack, broken, REFUSED)
    problems = [line for line in log.splitlines() if REFUSED in line]
    assert any("providers[0].client_id" in line for line in problems), log
    assert any("login.max_pending" in line for line in problems), log
    assert all("error" in line for line in problems), log
    assert CLIENT_SECRET not in log and "e2e-partner-secret" not in log

    assert get(session, stack.url + "/private/after-refusal").status_code == 200
    assert name_header(stack) == [f"Test {sub}"], "the old mapping must still be in force"

    log = reload(stack, with_name_claim(stack.oidc.config, "email"), RELOADED)
    assert get(session, stack.url + "/private/after-fix").status_code == 200
    assert name_header(stack) == [f"{sub}@example.test"]


def test_restart_only_settings_are_kept_and_the_rest_applies(memory_stack):
    stack = memory_stack
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    changed = with_name_claim(stack.oidc.config, "email")
    changed["workers"] = 7
    log = reload(stack, changed, RELOADED)
    assert "`workers` needs a restart; kept the old value" in log
    assert get(session, stack.url + "/private/x").status_code == 200
    assert name_header(stack) == [f"{sub}@example.test"]


def test_a_session_survives_a_reload_that_changes_only_headers(memory_stack):
    stack = memory_stack
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    reload(stack, with_name_claim(stack.oidc.config, "sub"), RELOADED)
    response = get(session, stack.url + "/private/still-logged-in")
    assert response.status_code == 200, "the memory store's sessions must survive the reload"
    assert stack.upstream.received()[-1].header_values("X-Remote-User") == [sub]
    assert name_header(stack) == [sub]


def test_a_reload_with_new_store_settings_ends_memory_sessions(memory_stack):
    """The negative of the above: a new store is a new, empty memory store."""
    stack = memory_stack
    session = browser()
    stack.log_in(session, stack.new_user())
    changed = copy.deepcopy(stack.oidc.config)
    changed["session"]["memory"] = {"capacity": 5000}
    log = reload(stack, changed, RELOADED)
    assert "sessions=new store" in log
    assert is_redirect_to(get(session, stack.url + "/private/x"), stack.authorization_endpoint())


@pytest.fixture
def secret_file_stack(request, oidc_fcgi_bin):
    stack = Stack(StackOptions(store="memory", label="reload-secret"))
    (stack.workdir / "session.secret").write_text(OLD_SECRET + "\n")
    session = {key: value for key, value in stack.oidc_config["session"].items() if key != "secrets"}
    stack.oidc_config["session"] = {**session, "secret_file": "session.secret"}
    request.node.started_stacks = [stack]
    stack.start()
    request.addfinalizer(stack.stop)
    return stack


def test_session_secret_rotation_through_the_secret_file(secret_file_stack):
    stack = secret_file_stack
    secret_file = stack.workdir / "session.secret"
    old_session = browser()
    stack.log_in(old_session, stack.new_user())

    # The new secret first, the old one still listed: sessions sealed under either open.
    secret_file.write_text(f"{NEW_SECRET}\n{OLD_SECRET}\n")
    log = reload(stack, None, RELOADED)
    assert "session.secrets" in log
    assert OLD_SECRET not in log and NEW_SECRET not in log
    assert get(old_session, stack.url + "/private/x").status_code == 200
    new_session = browser()
    stack.log_in(new_session, stack.new_user())

    # The old secret removed: its sessions end, those sealed under the new one go on.
    secret_file.write_text(NEW_SECRET + "\n")
    reload(stack, None, RELOADED)
    assert get(new_session, stack.url + "/private/x").status_code == 200
    assert is_redirect_to(get(old_session, stack.url + "/private/x"), stack.authorization_endpoint())
    assert OLD_SECRET not in stack.oidc.process.log_text() and NEW_SECRET not in stack.oidc.process.log_text()
