"""Fixtures: whole stacks (memcached, provider, echo upstream, oidc-fcgi, nginx)
on free 127.0.0.1 ports, one per session store, stopped by PID at the end.
On a failing test the tails of every log of the stacks it used are printed."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from harness.oidc_fcgi import binary_path
from harness.stack import Stack, StackOptions

STORES = ["memory", "memcached"]


def pytest_configure(config):
    # `timeout` and CI runners stop pytest with SIGTERM, which would skip all
    # teardown; turn it into an interrupt so every fixture stops its processes.
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


@pytest.fixture(scope="session")
def oidc_fcgi_bin() -> Path:
    try:
        path = binary_path()
    except FileNotFoundError as error:
        pytest.fail(str(error), pytrace=False)
    if not path.is_file():
        pytest.fail(f"OIDC_FCGI_BIN={path} does not exist", pytrace=False)
    return path


def _started(options: StackOptions) -> Stack:
    stack = Stack(options)
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"the {options.store} stack did not start: {error}\n{stack.logs()}", pytrace=False)
    return stack


@pytest.fixture(scope="session", params=STORES)
def stack(request, oidc_fcgi_bin) -> Stack:
    """A long-lived stack per store, shared by the tests that leave it as they found it."""
    s = _started(StackOptions(store=request.param))
    request.addfinalizer(s.stop)
    return s


@pytest.fixture(scope="module", params=STORES)
def short_session_stack(request, oidc_fcgi_bin) -> Stack:
    """Sessions end after 2 s without use, and 5 s after login at the latest;
    a login must be finished within 10 s (the smallest login.timeout)."""
    s = _started(
        StackOptions(
            store=request.param,
            inactivity_timeout="2s",
            max_lifetime="5s",
            extra_config={"login": {"timeout": "10s", "max_pending": 5}},
        )
    )
    request.addfinalizer(s.stop)
    return s


@pytest.fixture
def memcached_stack(request, oidc_fcgi_bin) -> Stack:
    """A memcached stack of its own, for tests that stop memcached."""
    s = _started(StackOptions(store="memcached"))
    request.addfinalizer(s.stop)
    return s


@pytest.fixture
def memory_stack(request, oidc_fcgi_bin) -> Stack:
    """A memory-store stack of its own, for tests that stop oidc-fcgi."""
    s = _started(StackOptions(store="memory"))
    request.addfinalizer(s.stop)
    return s


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        funcargs = dict(getattr(item, "funcargs", {}) or {})
        # Stacks a test started itself, with options of its own (test_provider_faults.py).
        for index, value in enumerate(getattr(item, "started_stacks", [])):
            funcargs[f"stack {index}"] = value
        for name, value in funcargs.items():
            if isinstance(value, Stack):
                value.keep_workdir = True
                report.sections.append((f"logs of {name} [{value.options.store}] in {value.workdir}", value.logs()))
