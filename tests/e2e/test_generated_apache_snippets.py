"""Apache with the include files `oidc-fcgi apache-conf` wrote for a
configuration with more claim headers and a renamed session cookie: Apache
accepts them, a login through them hands the application every mapped header
and none of oidc-fcgi's cookies, and `check-config --apache-snippets` is quiet
for them and names an edited one."""

from __future__ import annotations

import subprocess

import pytest

from harness.apache import apache_stack
from harness.login import browser, get
from harness.oidc_fcgi import binary_path, write_config
from harness.stack import Stack, StackOptions
from test_generated_snippets import CLAIMS, COOKIE, STATE_PREFIX, log_in


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary_path()), *args], capture_output=True, text=True, timeout=20)


@pytest.fixture(scope="module")
def generated_apache(oidc_fcgi_bin):
    stack = apache_stack(Stack, StackOptions(store="memcached", label="apache-snippets", extra_config={
        "cookie": {"name": COOKIE, "state_prefix": STATE_PREFIX, "secure": False},
        "headers": {"user": "X-Remote-User", "claims": CLAIMS},
    }))
    config = write_config(stack.workdir / "generated-from.yaml", stack.oidc_config)
    snippets = stack.workdir / "apache-snippets"
    made = run("apache-conf", "--config", str(config), "--out", str(snippets))
    assert made.returncode == 0, made.stderr
    stack.nginx.snippets = snippets
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"Apache with generated include files did not start: {error}\n{stack.logs()}", pytrace=False)
    stack.generated_config = config
    yield stack
    stack.stop()


def test_the_application_gets_every_mapped_header_and_no_oidc_cookie(generated_apache):
    stack = generated_apache
    sub = stack.new_user(groups=["staff", "ops"], department="Research")
    session = browser()
    log_in(stack, session, sub, "/private")
    session.cookies.set("site_pref", "dark")
    response = get(session, stack.url + "/private", headers={"X-Remote-Groups": "admins", "Department": "Board"})
    assert response.status_code == 200, response.text[:300]
    request = stack.upstream.received()[-1]
    assert request.header_values("X-Remote-User") == [sub]
    assert request.header_values("X-Remote-Email") == [f"{sub}@example.test"]
    assert request.header_values("X-Remote-Groups") == ["staff,ops"]
    assert request.header_values("Department") == ["Research"]
    assert request.header_values("X-Remote-Issuer") == [stack.provider.issuer]
    names = request.cookie_names()
    assert "site_pref" in names
    assert COOKIE not in names and not any(name.startswith(STATE_PREFIX) for name in names)


def test_check_config_compares_the_installed_apache_files(generated_apache, tmp_path):
    config = generated_apache.generated_config
    fresh = tmp_path / "apache"
    assert run("apache-conf", "--config", str(config), "--out", str(fresh)).returncode == 0
    quiet = run("check-config", str(config), "--apache-snippets", str(fresh))
    assert quiet.returncode == 0 and "warning" not in quiet.stdout, quiet.stdout
    endpoints = fresh / "oidc-fcgi-endpoints.conf"
    endpoints.write_text(endpoints.read_text().replace("LimitRequestBody 32768", "LimitRequestBody 65536"))
    warned = run("check-config", str(config), "--apache-snippets", str(fresh))
    assert warned.returncode == 0
    assert f"warning: {endpoints} differs" in warned.stdout and "LimitRequestBody 65536" in warned.stdout, warned.stdout
