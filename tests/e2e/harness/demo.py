"""The demo: provider + oidc-fcgi (memory store) + nginx + the echo app on
127.0.0.1, until Ctrl-C; or, with --check, one scripted login and PASS/FAIL.

Run through scripts/demo, which installs and builds first."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .login import browser
from .ports import free_port, port_is_free
from .process import stop_all
from .stack import Stack, StackOptions


def pick(port: int) -> int:
    return port if port and port_is_free(port) else free_port()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="bring it up, log in once with a script, tear down")
    parser.add_argument("--port", type=int, default=8080, help="nginx port (default 8080, or a free one)")
    parser.add_argument("--provider-port", type=int, default=9400, help="provider port (default 9400, or a free one)")
    parser.add_argument("--store", choices=["memory", "memcached"], default="memory")
    args = parser.parse_args(argv)

    options = StackOptions(
        store=args.store,
        nginx_port=pick(args.port),
        provider_port=pick(args.provider_port),
        log_level="info",
        label="demo",
        keep_logs=True,
    )
    stack = Stack(options)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    for wanted, got, what in ((args.port, options.nginx_port, "site"), (args.provider_port, options.provider_port, "identity provider")):
        if wanted != got:
            print(f"==> port {wanted} is busy: the {what} uses port {got} instead", flush=True)
    print(f"==> starting (logs in {stack.workdir}/logs)", flush=True)
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        print(f"FAIL: the demo did not start: {error}", file=sys.stderr)
        stop_all()
        return 1

    try:
        for sub, claims in DEMO_USERS.items():
            stack.provider.set_user(sub, claims)
        if args.check:
            return check(stack)
        print(
            f"""
  oidc-fcgi demo is running.

  Open            {stack.url}/            (protected: needs a login)
  Public page     {stack.url}/public/     (no login)
  Log out         {stack.url}/oidc/logout

  At the identity provider ({stack.provider.issuer}) type a user name into
  the "sub" field and press Authorize: alice or bob (who have an email and a
  name), or any other name. The page then shows who is signed in and every
  header the application received (X-Remote-User, -Email, -Name).

  oidc-fcgi config: {stack.oidc.config_path}
  nginx config:     {stack.nginx.conf_path}
  Ctrl-C stops everything.
""",
            flush=True,
        )
        while not stop.wait(0.5):
            dead = [p.name for p in stack.processes() if not p.alive()]
            if dead:
                print(f"FAIL: {', '.join(dead)} stopped unexpectedly\n{stack.logs(20)}", file=sys.stderr)
                return 1
        return 0
    finally:
        print("==> stopping", flush=True)
        stack.stop()


DEMO_USERS = {
    "alice": {"email": "alice@example.test", "name": "Alice Example"},
    "bob": {"email": "bob@example.test", "name": "Bob Example"},
}


def check(stack: Stack) -> int:
    sub = "alice"
    try:
        trace = stack.log_in(browser(), sub)
        received = stack.upstream.received()[-1]
        assert received.header("X-Remote-User") == sub, received.headers
        assert received.header("X-Remote-Email") == DEMO_USERS[sub]["email"], received.headers
        assert received.header("X-Remote-Name") == DEMO_USERS[sub]["name"], received.headers
        assert f'<td id="name">{DEMO_USERS[sub]["name"]}</td>' in trace.page.text, trace.page.text[:500]
    except Exception as error:  # noqa: BLE001
        print(f"FAIL: scripted login: {error}\n{stack.logs(30)}", file=sys.stderr)
        return 1
    print(f"PASS: logged in as {sub} through {stack.url}/ (the application saw X-Remote-User: {sub}, "
          f"X-Remote-Email: {DEMO_USERS[sub]['email']}, X-Remote-Name: {DEMO_USERS[sub]['name']})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
