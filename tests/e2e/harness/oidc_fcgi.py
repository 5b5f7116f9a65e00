"""oidc-fcgi itself: its YAML config, `serve` as a process, `check-config`."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .ports import can_connect, can_connect_unix
from .process import ManagedProcess

REPO = Path(__file__).resolve().parents[3]

SESSION_COOKIE = "oidc_session"
STATE_COOKIE_PREFIX = "oidc_state_"
CLIENT_ID = "e2e-client"
CLIENT_SECRET = "e2e-client-secret"
# A second provider entry (same test identity provider, another client) for
# locations that say `set $oidc_provider partner;`.
PARTNER_CLIENT_ID = "e2e-partner-client"


# Logged by the background prefetch once a provider's metadata and keys are in.
METADATA_LOADED = "loaded provider metadata"


def wait_metadata_loaded(process, providers, timeout: float, log_offset: int = 0) -> None:
    """Waits until `process` has logged the metadata of every named provider as
    loaded: before that, logins are answered 503 by design."""

    def loaded() -> bool:
        lines = [line for line in process.log_text()[log_offset:].splitlines() if METADATA_LOADED in line]
        # Text lines say provider=NAME; JSON lines (log_format: json) "provider":"NAME".
        return all(any(f"provider={name}" in line or f'"provider":"{name}"' in line for line in lines) for name in providers)

    process.wait_ready(loaded, timeout, f"done loading the metadata of {', '.join(providers)}")


def binary_path() -> Path:
    """$OIDC_FCGI_BIN, else the newest build found in the repository."""
    env = os.environ.get("OIDC_FCGI_BIN")
    if env:
        return Path(env)
    candidates = [
        REPO / d / "oidc-fcgi"
        for d in (".build/release", ".build-e2e/debug", ".build/debug", ".build-e2e/release")
    ]
    found = [c for c in candidates if c.is_file() and os.access(c, os.X_OK)]
    if not found:
        raise FileNotFoundError(
            "no oidc-fcgi binary: set OIDC_FCGI_BIN or run `swift build -c release --product oidc-fcgi`"
        )
    return max(found, key=lambda p: p.stat().st_mtime)


def to_yaml(value, indent: int = 0) -> str:
    """A small YAML emitter for plain dicts/lists/scalars (strings JSON-quoted)."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.append(to_yaml(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                body = to_yaml(item, indent + 1).lstrip()
                lines.append(f"{pad}- {body}")
            else:
                lines.append(f"{pad}- {scalar(item)}")
        return "\n".join(lines)
    return pad + scalar(value)


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value == {}:
        return "{}"
    if value == []:
        return "[]"
    return json.dumps(str(value))


def make_config(
    *,
    socket_path: Path,
    public_url: str,
    issuer: str,
    store: str = "memory",
    memcached_address: str | list[str] | None = None,
    memcached_options: dict | None = None,
    inactivity_timeout: str = "1h",
    max_lifetime: str = "8h",
    log_level: str = "debug",
    extra: dict | None = None,
) -> dict:
    session = {
        "store": store,
        "secrets": ["e2e-secret-0123456789abcdef-0123456789abcdef"],
        "inactivity_timeout": inactivity_timeout,
        "max_lifetime": max_lifetime,
    }
    if store == "memcached":
        servers = memcached_address if isinstance(memcached_address, list) else [memcached_address]
        session["memcached"] = {
            "servers": servers,
            "connect_timeout": "500ms",
            "timeout": "500ms",
            **(memcached_options or {}),
        }
    config = {
        "listen": f"unix:{socket_path}",
        "socket_mode": "0666",
        "workers": 4,
        "public_url": public_url,
        "redirect_path": "/oidc/callback",
        "log_level": log_level,
        "clock_skew": "60s",
        "http": {"connect_timeout": "2s", "timeout": "5s"},
        "cookie": {"name": SESSION_COOKIE, "secure": False},
        "session": session,
        "login": {"timeout": "5m", "max_pending": 5},
        "providers": [
            {
                "name": "main",
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scopes": ["openid", "email", "profile"],
                "user_claim": "sub",
            },
            {
                "name": "partner",
                "issuer": issuer,
                "client_id": PARTNER_CLIENT_ID,
                "client_secret": "e2e-partner-secret",
                "scopes": ["openid", "email", "profile"],
                "user_claim": "sub",
            },
        ],
        # Named claim rule sets, used by the test site's /staff/ location.
        "rules": {"staff": "any(groups:staff groups:admins)"},
        "headers": {
            "user": "X-Remote-User",
            "claims": {"X-Remote-Email": "email", "X-Remote-Name": "name"},
        },
    }
    for key, value in (extra or {}).items():
        config[key] = value
    return config


def write_config(path: Path, config: dict) -> Path:
    path.write_text("# generated by tests/e2e/harness/oidc_fcgi.py\n" + to_yaml(config) + "\n")
    return path


def check_config(config_path: Path, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binary_path()), "check-config", str(config_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class OidcFcgi:
    def __init__(self, workdir: Path, config: dict) -> None:
        self.workdir = workdir
        self.config = config
        self.socket_path = Path(config["listen"].removeprefix("unix:"))
        self.config_path = workdir / "oidc-fcgi.yaml"
        self.process: ManagedProcess | None = None

    def start(self, timeout: float = 15, await_metadata: Sequence[str] = ()) -> "OidcFcgi":
        """Starts `serve` and waits until it listens and, for each provider named in
        `await_metadata`, has logged that its metadata is loaded (the start-up prefetch
        runs in the background; a test expecting the provider up must not race it)."""
        write_config(self.config_path, self.config)
        argv = [binary_path(), "serve", "--config", self.config_path]
        process = ManagedProcess("oidc-fcgi", argv, self.workdir / "logs" / "oidc-fcgi.log")
        self.process = process
        log_offset = len(process.log_text())
        process.start()
        listen = self.config["listen"]
        if listen.startswith("tcp:"):
            host, _, port = listen.removeprefix("tcp:").rpartition(":")
            ready = lambda: can_connect(int(port), host.strip("[]"))  # noqa: E731
        else:
            ready = lambda: can_connect_unix(str(self.socket_path))  # noqa: E731
        process.wait_ready(ready, timeout, f"listening on {listen}")
        if await_metadata:
            wait_metadata_loaded(process, await_metadata, timeout, log_offset)
        return self

    def stop(self) -> int | None:
        """SIGTERM by PID; the exit status (the interface promises 0)."""
        if self.process:
            return self.process.stop(timeout=10)
        return None
