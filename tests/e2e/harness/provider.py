"""The test identity provider (tests/idp/provider.py) as a process."""

from __future__ import annotations

import sys
from pathlib import Path

import requests

from .ports import free_port
from .process import ManagedProcess

PROVIDER_SCRIPT = Path(__file__).resolve().parents[2] / "idp" / "provider.py"


class Provider:
    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.workdir = workdir
        self.process: ManagedProcess | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Provider":
        argv = [sys.executable, "-W", "ignore::DeprecationWarning", str(PROVIDER_SCRIPT), "--port", str(self.port)]
        self.process = ManagedProcess("provider", argv, self.workdir / "logs" / "provider.log").start()
        return self

    def wait_ready(self, timeout: float = 20) -> None:
        def discovery_answers() -> bool:
            r = requests.get(self.issuer + "/.well-known/openid-configuration", timeout=1)
            return r.status_code == 200 and r.json()["issuer"] == self.issuer

        self.process.wait_ready(discovery_answers, timeout, "serving discovery at " + self.issuer)

    def discovery(self) -> dict:
        return requests.get(self.issuer + "/.well-known/openid-configuration", timeout=5).json()

    def set_user(self, sub: str, claims: dict) -> None:
        """Claims the provider will put in the ID token / userinfo for `sub`."""
        r = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        r.raise_for_status()

    def stop(self) -> None:
        if self.process:
            self.process.stop()
