"""CGI mode: run with no arguments by a web server (CGI environment, stdin a
pipe and not a socket), oidc-fcgi reads its configuration from
OIDC_FCGI_CONFIG, answers the one request on stdout and exits 0. A broken
configuration gives an error answer (never a 200) and says why on stderr."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from harness.fastcgi_client import parse_cgi_response
from harness.login import NAVIGATION_HEADERS
from harness.oidc_fcgi import SESSION_COOKIE, STATE_COOKIE_PREFIX, write_config

TIMEOUT = 20


def cgi_env(stack, config_path: Path, **extra: str) -> dict[str, str]:
    env = {
        # Only what a web server passes to a CGI program (and PATH).
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "test_cgi_mode.py",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(stack.nginx.port),
        "REQUEST_SCHEME": "http",
        "REQUEST_METHOD": "GET",
        "REQUEST_URI": "/private/report?year=2026",
        "SCRIPT_NAME": "/private/report",
        "QUERY_STRING": "year=2026",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": f"127.0.0.1:{stack.nginx.port}",
        "OIDC_FCGI_CONFIG": str(config_path),
    }
    env.update(extra)
    return env


def run_cgi(oidc_fcgi_bin, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, int, list, bytes]:
    # input=b"" makes stdin a pipe: not a socket, so not FastCGI.
    done = subprocess.run([str(oidc_fcgi_bin)], env=env, input=b"", capture_output=True, timeout=TIMEOUT)
    status, headers, body = parse_cgi_response(done.stdout)
    return done, status, headers, body


def header_values(headers, name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name.lower()]


def navigation() -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in NAVIGATION_HEADERS.items()}


def test_auth_without_cookie_is_401(stack, oidc_fcgi_bin, tmp_path):
    config = write_config(tmp_path / "cgi.yaml", stack.oidc_config)
    done, status, headers, _ = run_cgi(oidc_fcgi_bin, cgi_env(stack, config, OIDC_ACTION="auth", HTTP_ACCEPT="text/html"))
    assert done.returncode == 0, done.stderr.decode()
    assert status == 401, done.stdout
    assert not header_values(headers, "X-Remote-User")


def test_auth_with_a_foreign_cookie_is_401(stack, oidc_fcgi_bin, tmp_path):
    config = write_config(tmp_path / "cgi.yaml", stack.oidc_config)
    env = cgi_env(stack, config, OIDC_ACTION="auth", HTTP_COOKIE=f"{SESSION_COOKIE}=forged-value; theme=dark")
    done, status, headers, _ = run_cgi(oidc_fcgi_bin, env)
    assert done.returncode == 0, done.stderr.decode()
    assert status == 401, done.stdout
    assert not header_values(headers, "X-Remote-User")


def test_login_redirects_to_the_provider_with_a_login_state_cookie(stack, oidc_fcgi_bin, tmp_path):
    config = write_config(tmp_path / "cgi.yaml", stack.oidc_config)
    done, status, headers, _ = run_cgi(oidc_fcgi_bin, cgi_env(stack, config, OIDC_ACTION="login", **navigation()))
    assert done.returncode == 0, done.stderr.decode()
    assert status == 302, done.stdout
    location = header_values(headers, "Location")
    assert len(location) == 1 and location[0].startswith(stack.authorization_endpoint() + "?"), headers
    assert "code_challenge_method=S256" in location[0]
    state_cookies = [c for c in header_values(headers, "Set-Cookie") if c.startswith(STATE_COOKIE_PREFIX)]
    assert len(state_cookies) == 1, headers
    assert "httponly" in state_cookies[0].lower()


def test_bad_configuration_is_an_error_answer_never_a_200(stack, oidc_fcgi_bin, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text('listen: "nowhere"\nworkers: many\n')
    for config in (broken, tmp_path / "missing.yaml"):
        done, status, headers, body = run_cgi(oidc_fcgi_bin, cgi_env(stack, config, OIDC_ACTION="auth"))
        assert status in (500, 503), done.stdout
        assert not header_values(headers, "X-Remote-User")
        assert not header_values(headers, "Set-Cookie")
        stderr = done.stderr.decode()
        assert str(config.name) in stderr or "listen" in stderr, stderr
        assert b"Traceback" not in done.stdout and b"Fatal error" not in done.stderr
    # What it says about the broken file names the bad settings.
    done, *_ = run_cgi(oidc_fcgi_bin, cgi_env(stack, broken, OIDC_ACTION="auth"))
    assert "listen" in done.stderr.decode() and "workers" in done.stderr.decode(), done.stderr.decode()
