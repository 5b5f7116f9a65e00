"""A second oidc-fcgi behind its own nginx, sharing a started Stack's
provider, upstream, memcached and session secrets: what a site with several
instances looks like. Sessions made through one are valid through the other,
and a logout at one must end them at both."""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

from . import login as login_flow
from .nginx import Nginx
from .oidc_fcgi import OidcFcgi
from .process import ManagedProcess


class PeerInstance:
    def __init__(self, stack) -> None:
        self.stack = stack
        self.workdir = Path(stack.workdir) / "peer"
        self.workdir.mkdir(mode=0o755, exist_ok=True)
        self.socket_dir = Path(tempfile.mkdtemp(prefix="ofp-"))
        self.socket_dir.chmod(0o755)
        socket = self.socket_dir / "oidc-fcgi.sock"
        self.nginx = Nginx(self.workdir, oidc_socket=socket, upstream_port=stack.upstream.port)
        config = copy.deepcopy(stack.oidc_config)
        config["listen"] = f"unix:{socket}"
        config["public_url"] = self.nginx.url
        self.oidc = OidcFcgi(self.workdir, config)

    @property
    def url(self) -> str:
        return self.nginx.url

    def processes(self) -> list[ManagedProcess]:
        return [p.process for p in (self.oidc, self.nginx) if p.process is not None]

    def start(self) -> "PeerInstance":
        try:
            self.oidc.start(await_metadata=tuple(p["name"] for p in self.oidc.config["providers"]))
            self.nginx.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for part in (self.nginx, self.oidc):
            try:
                part.stop()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                pass
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def log_in(self, session, sub: str, path: str = "/") -> "login_flow.LoginTrace":
        return login_flow.login(
            session,
            self.url + path,
            sub=sub,
            authorization_endpoint=self.stack.authorization_endpoint(),
            callback_prefix=self.url + "/oidc/callback",
        )

    def logs(self, lines: int = 60) -> str:
        return "\n".join(p.log_tail(lines) for p in self.processes())
