"""`listen: inherited`: a process manager (Debian's spawn-fcgi here) creates
the socket and starts `oidc-fcgi serve` with it on file descriptor 0;
oidc-fcgi answers requests on it and stops on SIGTERM with status 0."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from harness.fastcgi_client import FastCGIConnection, cgi_params
from harness.login import NAVIGATION_HEADERS
from harness.oidc_fcgi import wait_metadata_loaded, write_config
from harness.ports import can_connect_unix
from harness.process import ManagedProcess


@pytest.fixture
def spawned(stack, oidc_fcgi_bin, tmp_path):
    """oidc-fcgi started by `spawn-fcgi -n` (no fork: the PID is oidc-fcgi's),
    with the shared stack's configuration except `listen: inherited`."""
    spawn_fcgi = shutil.which("spawn-fcgi")
    if spawn_fcgi is None:
        pytest.fail("spawn-fcgi is not installed: run scripts/install-deps test", pytrace=False)
    socket_dir = Path(tempfile.mkdtemp(prefix="ofs-spawn-"))
    socket_path = socket_dir / "inherited.sock"
    config = dict(stack.oidc_config, listen="inherited")
    config_path = write_config(tmp_path / "inherited.yaml", config)
    argv = [spawn_fcgi, "-n", "-s", socket_path, "-M", "0666", "--", oidc_fcgi_bin, "serve", "--config", config_path]
    process = ManagedProcess("spawn-fcgi oidc-fcgi", argv, tmp_path / "logs" / "spawned.log").start()
    try:
        process.wait_ready(lambda: can_connect_unix(str(socket_path)), 10, f"listening on {socket_path}")
        # spawn-fcgi makes the socket before oidc-fcgi runs: wait for oidc-fcgi itself.
        wait_metadata_loaded(process, [p["name"] for p in config["providers"]], 10)
        yield process, socket_path
    finally:
        process.stop(timeout=10)
        shutil.rmtree(socket_dir, ignore_errors=True)


def test_oidc_fcgi_serves_on_the_socket_spawn_fcgi_gives_it(stack, spawned):
    process, socket_path = spawned
    params = dict(port=stack.nginx.port, host="127.0.0.1", uri="/private/page")
    with FastCGIConnection.unix(str(socket_path)) as conn:
        anonymous = conn.request(cgi_params(OIDC_ACTION="auth", HTTP_ACCEPT="text/html", **params))
    assert anonymous.status == 401, anonymous.stdout
    assert anonymous.header("X-Remote-User") is None

    navigation = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in NAVIGATION_HEADERS.items()}
    with FastCGIConnection.unix(str(socket_path)) as conn:
        login = conn.request(cgi_params(OIDC_ACTION="login", **navigation, **params))
    assert login.status == 302, login.stdout
    assert login.header("Location").startswith(stack.authorization_endpoint())
    assert any(v.startswith("oidc_state_") for v in login.header_values("Set-Cookie")), login.headers

    # It really is oidc-fcgi on the inherited socket (no socket of its own),
    # and it stops like the unix-socket server: SIGTERM -> exit 0.
    assert "inherited socket" in process.log_text()
    assert process.stop(timeout=10) == 0, process.log_tail()
    assert socket_path.exists(), "oidc-fcgi removed a socket it did not create"
