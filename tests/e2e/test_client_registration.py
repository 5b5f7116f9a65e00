"""Dynamic client registration (RFC 7591) through real nginx and the test
provider: the first login registers the client at the provider's
registration endpoint and stores it in `registration.state_dir`; a restarted
oidc-fcgi reuses it; a client the provider forgot is replaced once and the
login goes on; a corrupt state file is a clear error that names the file
(check-config and serve refuse it, a login shows the misconfiguration page)
and is never overwritten; `oidc-fcgi register` prints the client without its
secret; an initial access token is sent when the provider requires one."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from harness.login import authorize_at_provider, browser, get, location, sets_session_cookie, start_login
from harness.oidc_fcgi import binary_path, check_config, write_config
from harness.stack import Stack, StackOptions

CLIENT_NAME = "oidc-fcgi e2e registration"


def registering_stack(label: str) -> Stack:
    """A stack whose only provider registers itself, with its state directory in the workdir."""
    stack = Stack(StackOptions(label=label))
    state_dir = stack.workdir / "registration-state"
    state_dir.mkdir(mode=0o700)
    stack.oidc_config["providers"] = [{
        "name": "main",
        "issuer": stack.provider.issuer,
        "scopes": ["openid", "email", "profile"],
        "user_claim": "sub",
        "registration": {
            "client_name": CLIENT_NAME,
            "contacts": ["ops@example.test"],
            "token_endpoint_auth_method": "client_secret_post",
            "state_dir": str(state_dir),
        },
    }]
    return stack


def state_file(stack: Stack) -> Path:
    return stack.workdir / "registration-state" / "main.json"


def started(request, stack: Stack) -> Stack:
    request.node.started_stacks = [stack]
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the stack did not start: {error}\n{stack.logs()}", pytrace=False)
    request.addfinalizer(stack.stop)
    return stack


@pytest.fixture(scope="module")
def reg_stack(request, oidc_fcgi_bin) -> Stack:
    return started(request, registering_stack("registration"))


@pytest.fixture
def fresh_stack(request, oidc_fcgi_bin) -> Stack:
    return started(request, registering_stack("registration-corrupt"))


def client_id_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["client_id"][0]


def register_command(stack: Stack, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary_path()), "register", "--config", str(stack.oidc.config_path), "--provider", "main", *extra],
                          capture_output=True, text=True, timeout=30)


def test_a_login_registers_once_and_a_restart_reuses_the_client(reg_stack):
    before = reg_stack.provider.registrations()["count"]
    sub = reg_stack.new_user()
    trace = reg_stack.log_in(browser(), sub, "/private")
    assert reg_stack.upstream.received()[-1].header("X-Remote-User") == sub

    registrations = reg_stack.provider.registrations()
    assert registrations["count"] == before + 1
    issued = registrations["clients"][-1]
    assert client_id_of(trace.authorize_url) == issued
    asked = registrations["requests"][-1]
    assert asked["redirect_uris"] == [reg_stack.url + "/oidc/callback"]
    assert asked["post_logout_redirect_uris"] == [reg_stack.url + "/oidc/logout"]
    assert asked["backchannel_logout_uri"] == reg_stack.url + "/oidc/backchannel-logout"
    assert asked["frontchannel_logout_uri"] == reg_stack.url + "/oidc/frontchannel-logout"
    assert asked["grant_types"] == ["authorization_code", "refresh_token"]
    assert asked["response_types"] == ["code"]
    assert asked["token_endpoint_auth_method"] == "client_secret_post"
    assert asked["client_name"] == CLIENT_NAME and asked["contacts"] == ["ops@example.test"]

    path = state_file(reg_stack)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored["client_id"] == issued and stored["client_secret"] and stored["registration_access_token"]
    assert "registered a client at the provider" in reg_stack.oidc.process.log_text()
    assert "client_secret" not in reg_stack.oidc.process.log_text().replace("client_secret_post", "")

    # A restart reads the file: the next login uses the same client, no new registration.
    reg_stack.oidc.stop()
    reg_stack.oidc.start(await_metadata=("main",))
    again = reg_stack.log_in(browser(), reg_stack.new_user(), "/private")
    assert client_id_of(again.authorize_url) == issued
    assert reg_stack.provider.registrations()["count"] == before + 1


def test_a_forgotten_client_is_registered_again_once_and_the_login_goes_on(reg_stack):
    session = browser()
    sub = reg_stack.new_user()
    # Make sure a client is registered, then the provider forgets it.
    reg_stack.log_in(browser(), reg_stack.new_user(), "/private")
    old = json.loads(state_file(reg_stack).read_text())["client_id"]
    before = reg_stack.provider.registrations()["count"]
    reg_stack.provider.forget_client(old)

    endpoint = reg_stack.authorization_endpoint()
    start = start_login(session, reg_stack.url + "/private", endpoint)
    assert client_id_of(location(start)) == old
    callback = get(session, location(authorize_at_provider(session, location(start), sub=sub)))
    # The code exchange was refused (invalid_client): a new client, straight back to the provider.
    assert callback.status_code == 302 and location(callback).startswith(endpoint), (callback.status_code, callback.text[:300])
    new = client_id_of(location(callback))
    assert new != old
    assert reg_stack.provider.registrations()["count"] == before + 1
    assert json.loads(state_file(reg_stack).read_text())["client_id"] == new

    finish = get(session, location(authorize_at_provider(session, location(callback), sub=sub)))
    assert finish.status_code == 302 and sets_session_cookie(finish), (finish.status_code, finish.text[:300])
    page = get(session, location(finish))
    assert page.status_code == 200 and reg_stack.upstream.received()[-1].header("X-Remote-User") == sub
    assert "the provider refused the registered client; registered a new one" in reg_stack.oidc.process.log_text()
    assert reg_stack.provider.registrations()["count"] == before + 1


def test_register_prints_the_client_without_its_secret(reg_stack):
    reg_stack.log_in(browser(), reg_stack.new_user(), "/private")
    stored = json.loads(state_file(reg_stack).read_text())
    before = reg_stack.provider.registrations()["count"]

    shown = register_command(reg_stack)
    assert shown.returncode == 0, shown.stderr
    assert f"client_id: {stored['client_id']}" in shown.stdout
    assert "client_secret: (stored, not shown)" in shown.stdout
    assert stored["client_secret"] not in shown.stdout and stored["registration_access_token"] not in shown.stdout
    assert reg_stack.provider.registrations()["count"] == before  # the stored client is reused

    renewed = register_command(reg_stack, "--renew")
    assert renewed.returncode == 0, renewed.stderr
    fresh = json.loads(state_file(reg_stack).read_text())
    assert fresh["client_id"] != stored["client_id"] and f"client_id: {fresh['client_id']}" in renewed.stdout
    assert fresh["client_secret"] not in renewed.stdout
    assert reg_stack.provider.registrations()["count"] == before + 1


def test_an_initial_access_token_is_sent_when_the_provider_requires_one(reg_stack, tmp_path):
    token_file = tmp_path / "initial-access-token"
    token_file.write_text("e2e-initial-access-token\n")
    token_file.chmod(0o600)
    config = json.loads(json.dumps(reg_stack.oidc_config))
    reg_stack.provider.require_initial_access_token("e2e-initial-access-token")
    try:
        without = register_command(reg_stack, "--renew")
        assert without.returncode == 1
        assert "refused the client registration (HTTP 401" in without.stderr and "registration.initial_access_token" in without.stderr

        config["providers"][0]["registration"]["initial_access_token_file"] = str(token_file)
        config_path = write_config(tmp_path / "with-token.yaml", config)
        result = subprocess.run([str(binary_path()), "register", "--config", str(config_path), "--renew"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert "e2e-initial-access-token" not in result.stdout + result.stderr
    finally:
        reg_stack.provider.require_initial_access_token(None)


def test_a_corrupt_state_file_is_a_clear_error_and_is_never_overwritten(fresh_stack):
    path = state_file(fresh_stack)
    path.write_text('{"client_id": "half-written')
    path.chmod(0o600)

    # A login while it runs: the misconfiguration page, the file named in the log.
    login_page = get(browser(), fresh_stack.url + "/private")
    assert login_page.status_code == 500
    assert "Sign-in is misconfigured" in login_page.text
    assert "stored registration with the identity provider cannot be used" in login_page.text
    log = fresh_stack.oidc.process.log_text()
    assert f"the registered client file {path} is corrupt" in log
    assert fresh_stack.provider.registrations()["count"] == 0
    assert path.read_text() == '{"client_id": "half-written'

    # check-config and a restart refuse it, naming the file and what to do.
    checked = check_config(fresh_stack.oidc.config_path)
    assert checked.returncode == 2
    assert f"the registered client file {path} is corrupt (not valid JSON); fix or remove it" in checked.stderr
    fresh_stack.oidc.stop()
    served = subprocess.run([str(binary_path()), "serve", "--config", str(fresh_stack.oidc.config_path)],
                            capture_output=True, text=True, timeout=30)
    assert served.returncode == 2 and str(path) in served.stderr
    assert path.read_text() == '{"client_id": "half-written'


def test_instances_sharing_the_state_directory_register_one_client(reg_stack, tmp_path):
    # Two processes that need the client at the same moment, with nothing stored yet.
    state_dir = tmp_path / "shared-state"
    state_dir.mkdir(mode=0o700)
    config = json.loads(json.dumps(reg_stack.oidc_config))
    config["providers"][0]["registration"]["state_dir"] = str(state_dir)
    config_path = write_config(tmp_path / "shared.yaml", config)
    before = reg_stack.provider.registrations()["count"]
    argv = [str(binary_path()), "register", "--config", str(config_path)]
    processes = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=30) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    client_id = json.loads((state_dir / "main.json").read_text())["client_id"]
    assert all(f"client_id: {client_id}" in out for out, _ in outputs)
    assert reg_stack.provider.registrations()["count"] == before + 1


def test_the_token_command_registers_again_once_when_the_client_was_forgotten(reg_stack):
    reg_stack.log_in(browser(), reg_stack.new_user(), "/private")
    old = json.loads(state_file(reg_stack).read_text())["client_id"]
    before = reg_stack.provider.registrations()["count"]
    reg_stack.provider.forget_client(old)
    result = subprocess.run([str(binary_path()), "token", "--config", str(reg_stack.oidc.config_path), "--json"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["access_token"]
    assert json.loads(state_file(reg_stack).read_text())["client_id"] != old
    assert reg_stack.provider.registrations()["count"] == before + 1
