"""The whole system on 127.0.0.1: [memcached] + provider + echo upstream +
oidc-fcgi + nginx, started in dependency order and stopped in reverse."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import login as login_flow
from .fault_proxy import FaultProxy
from .memcached import Memcached
from .nginx import Nginx
from .oidc_fcgi import OidcFcgi, make_config
from .process import ManagedProcess
from .provider import Provider
from .upstream import EchoUpstream


@dataclass
class StackOptions:
    store: str = "memory"  # or "memcached"
    inactivity_timeout: str = "1h"
    max_lifetime: str = "8h"
    log_level: str = "debug"
    label: str = "e2e"  # names the temp dir
    site: str = "test"  # nginx server: "test" (generated) or "example" (nginx/example-site.conf)
    nginx_port: int | None = None
    provider_port: int | None = None
    fastcgi_keep_conn: bool = False  # nginx keeps FastCGI connections to oidc-fcgi open (keepalive 2)
    extra_config: dict = field(default_factory=dict)
    # memcached store: how many servers (stack.memcacheds; stack.memcached is the
    # first), and settings merged into session.memcached (timeout, retry_interval…).
    memcached_servers: int = 1
    memcached_options: dict = field(default_factory=dict)
    keep_logs: bool = False  # keep the temp dir (logs, configs) after stop; also OIDC_FCGI_KEEP_LOGS=1
    # The `partner` provider reached through a FaultProxy (stack.proxy) that can
    # hang chosen paths; these hang from the start.
    partner_via_proxy: bool = False
    proxy_hangs: tuple[str, ...] = ()
    start_provider: bool = True  # False: oidc-fcgi starts while the provider is down
    # Providers whose metadata oidc-fcgi must have loaded before the stack counts as
    # started (None: every provider, when the provider is started and nothing hangs).
    await_metadata: tuple[str, ...] | None = None
    # A second, independent provider process (stack.corp_provider: its own issuer,
    # keys and users), configured as provider `corp` (display name CORP_DISPLAY_NAME),
    # with the test site's /corp/ (corp only) and /choice/ (main or corp) locations.
    second_provider: bool = False


# Markup on purpose: the choice page must show it as text.
CORP_DISPLAY_NAME = 'Corp <Staff> & "Partners"'
CORP_CLIENT_ID = "e2e-corp-client"


# The test site's locations for the second provider (StackOptions.second_provider).
CORP_LOCATIONS = """
        location /corp/ {
            set $oidc_provider corp;
            include PROTECT_CONF;
            proxy_pass http://app;
        }

        location /choice/ {
            set $oidc_provider "main corp";
            include PROTECT_CONF;
            proxy_pass http://app;
        }
"""


class Stack:
    def __init__(self, options: StackOptions | None = None, workdir: Path | None = None) -> None:
        self.options = options or StackOptions()
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix=f"oidc-fcgi-{self.options.label}-{self.options.store}-"))
        os.chmod(self.workdir, 0o755)
        # A short socket path: unix socket paths are limited to ~107 bytes.
        self.socket_dir = Path(tempfile.mkdtemp(prefix="ofs-"))
        # Keep the temp dir after stop; set on failure too (conftest, start()).
        self.keep_workdir = self.options.keep_logs
        os.chmod(self.socket_dir, 0o755)
        count = self.options.memcached_servers if self.options.store == "memcached" else 0
        self.memcacheds = [Memcached(self.workdir, name="memcached" if i == 0 else f"memcached-{i + 1}") for i in range(count)]
        self.memcached = self.memcacheds[0] if self.memcacheds else None
        self.provider = Provider(self.workdir, self.options.provider_port)
        self.corp_provider = Provider(self.workdir, name="corp-provider") if self.options.second_provider else None
        self.upstream = EchoUpstream(self.workdir)
        self.proxy = FaultProxy(self.provider.port) if self.options.partner_via_proxy else None
        self.nginx = Nginx(
            self.workdir,
            oidc_socket=self.socket_dir / "oidc-fcgi.sock",
            upstream_port=self.upstream.port,
            port=self.options.nginx_port,
            site=self.options.site,
            keep_conn=self.options.fastcgi_keep_conn,
            extra_locations=CORP_LOCATIONS if self.options.second_provider else "",
        )
        self.oidc_config = make_config(
            socket_path=self.socket_dir / "oidc-fcgi.sock",
            public_url=self.nginx.url,
            issuer=self.provider.issuer,
            store=self.options.store,
            memcached_address=[m.address for m in self.memcacheds] if self.memcacheds else None,
            memcached_options=self.options.memcached_options,
            inactivity_timeout=self.options.inactivity_timeout,
            max_lifetime=self.options.max_lifetime,
            log_level=self.options.log_level,
            extra=self.options.extra_config,
        )
        if self.proxy:
            self.oidc_config["providers"][1]["issuer"] = self.proxy.url
        if self.corp_provider:
            self.oidc_config["providers"].append({
                "name": "corp",
                "display_name": CORP_DISPLAY_NAME,
                "issuer": self.corp_provider.issuer,
                "client_id": CORP_CLIENT_ID,
                "client_secret": "e2e-corp-secret",
                "scopes": ["openid", "email", "profile"],
                "user_claim": "sub",
            })
        self.oidc = OidcFcgi(self.workdir, self.oidc_config)

    @property
    def url(self) -> str:
        return self.nginx.url

    def processes(self) -> list[ManagedProcess]:
        parts = [*self.memcacheds, self.provider, self.corp_provider, self.upstream, self.oidc, self.nginx]
        return [p.process for p in parts if p is not None and p.process is not None]

    def start(self) -> "Stack":
        try:
            # The slow starters first, waited for together.
            if self.options.start_provider:
                self.provider.start()
            if self.corp_provider:
                self.corp_provider.start()
            self.upstream.start()
            for memcached in self.memcacheds:
                memcached.start()
            if self.proxy:
                self.proxy.hang(*self.options.proxy_hangs)
                self.proxy.start()
            if self.options.start_provider:
                self.provider.wait_ready()
            if self.corp_provider:
                self.corp_provider.wait_ready()
            self.upstream.wait_ready()
            self.oidc.start(await_metadata=self._awaited_metadata())
            self.nginx.start()
        except BaseException:
            self.keep_workdir = True  # the caller prints these logs
            self.stop()
            raise
        return self

    def _awaited_metadata(self) -> tuple[str, ...]:
        if self.options.await_metadata is not None:
            return self.options.await_metadata
        if not self.options.start_provider or self.options.proxy_hangs:
            return ()
        return tuple(p["name"] for p in self.oidc_config["providers"])

    def stop(self) -> None:
        for part in (self.nginx, self.oidc, self.upstream, self.proxy, self.provider, self.corp_provider, *self.memcacheds):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - keep stopping the rest
                    pass
        shutil.rmtree(self.socket_dir, ignore_errors=True)
        if not (self.keep_workdir or os.environ.get("OIDC_FCGI_KEEP_LOGS")):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self, lines: int = 80) -> str:
        tails = [p.log_tail(lines) for p in self.processes()]
        error_log = self.nginx.error_log().splitlines()[-lines:]
        tails.append(f"--- nginx error.log ({self.nginx.prefix}/logs/error.log)\n" + "\n".join(error_log))
        return "\n".join(tails)

    def new_user(self, **claims) -> str:
        """A fresh subject at the provider, with email and name claims."""
        sub = "user-" + uuid.uuid4().hex[:10]
        self.provider.set_user(sub, {"email": f"{sub}@example.test", "name": f"Test {sub}", **claims})
        return sub

    def authorization_endpoint(self, provider: str = "main") -> str:
        if provider == "corp" and self.corp_provider:
            return self.corp_provider.discovery()["authorization_endpoint"]
        direct = self.provider.discovery()["authorization_endpoint"]
        if provider == "partner" and self.proxy:
            # The provider names itself after the Host it is reached at: the proxy.
            return self.proxy.url + urlsplit(direct).path
        return direct

    def log_in(self, session, sub: str, path: str = "/") -> "login_flow.LoginTrace":
        return login_flow.login(
            session,
            self.url + path,
            sub=sub,
            authorization_endpoint=self.authorization_endpoint("partner" if path.startswith("/partner/") else "main"),
            callback_prefix=self.url + "/oidc/callback",
        )

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
