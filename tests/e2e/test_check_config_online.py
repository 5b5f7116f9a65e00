"""`oidc-fcgi check-config --online`: asks each provider what the config
needs — discovery with exactly the configured issuer, a signing key for an
allowed algorithm, and the client's credentials (a token request with a
code that cannot exist) — one line per check, exit 1 on any failure."""

import subprocess

import pytest

from harness.oidc_fcgi import CLIENT_ID, CLIENT_SECRET, binary_path, make_config, write_config
from harness.ports import free_port
from harness.provider import Provider


@pytest.fixture(scope="module")
def provider(tmp_path_factory, oidc_fcgi_bin):
    idp = Provider(tmp_path_factory.mktemp("online-idp")).start()
    idp.wait_ready()
    # A client the provider knows with its secret: a wrong one is refused.
    idp.register_client(CLIENT_ID, CLIENT_SECRET)
    yield idp
    idp.stop()


def online(tmp_path, issuer: str, secret: str = CLIENT_SECRET) -> subprocess.CompletedProcess:
    config = make_config(socket_path=tmp_path / "s.sock", public_url="http://127.0.0.1:8080", issuer=issuer)
    config["providers"] = [dict(config["providers"][0], client_secret=secret)]
    config["http"] = {"connect_timeout": "500ms", "timeout": "2s"}
    path = write_config(tmp_path / "online.yaml", config)
    return subprocess.run([str(binary_path()), "check-config", "--online", str(path)], capture_output=True, text=True, timeout=30)


def lines(result, status: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(status)]


def test_a_working_provider_passes_every_check(tmp_path, provider):
    result = online(tmp_path, provider.issuer)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = [line.split(": ")[1] for line in lines(result, "ok")]
    assert checks == ["metadata", "signing keys", "client credentials"], result.stdout
    assert "every online check passed" in result.stdout


def test_an_issuer_with_a_trailing_slash_fails_with_a_clear_line(tmp_path, provider):
    result = online(tmp_path, provider.issuer + "/")
    assert result.returncode == 1, result.stdout
    failed = lines(result, "FAIL")
    assert len(failed) == 1 and "metadata" in failed[0], result.stdout
    assert "issuer" in failed[0], failed[0]


def test_an_unreachable_provider_fails_with_a_clear_line(tmp_path, oidc_fcgi_bin):
    result = online(tmp_path, f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1, result.stdout
    failed = lines(result, "FAIL")
    assert len(failed) == 1 and "metadata" in failed[0] and "unreachable" in failed[0], result.stdout


def test_a_wrong_secret_fails_the_credentials_check(tmp_path, provider):
    result = online(tmp_path, provider.issuer, secret="not-the-registered-secret-0123456789")
    assert result.returncode == 1, result.stdout
    failed = lines(result, "FAIL")
    assert len(failed) == 1 and "client credentials" in failed[0], result.stdout
    assert "client_secret_basic" in failed[0] and "not-the-registered-secret" not in result.stdout


def test_without_online_nothing_is_fetched(tmp_path, oidc_fcgi_bin):
    config = make_config(socket_path=tmp_path / "s.sock", public_url="http://127.0.0.1:8080", issuer=f"http://127.0.0.1:{free_port()}")
    result = subprocess.run([str(binary_path()), "check-config", str(write_config(tmp_path / "c.yaml", config))],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "valid" in result.stdout
