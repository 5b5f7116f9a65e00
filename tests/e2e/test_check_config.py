"""`oidc-fcgi check-config` accepts a good config, rejects a bad one and says
which key is wrong; `serve` stops cleanly on SIGTERM."""

import copy

import pytest

from harness.oidc_fcgi import check_config, make_config, write_config


@pytest.fixture
def good_config(tmp_path):
    return make_config(
        socket_path=tmp_path / "s.sock", public_url="http://127.0.0.1:8080", issuer="http://127.0.0.1:9400"
    )


def test_good_config_is_accepted(tmp_path, good_config, oidc_fcgi_bin):
    result = check_config(write_config(tmp_path / "good.yaml", good_config))
    assert result.returncode == 0, result.stdout + result.stderr


def test_good_memcached_config_is_accepted(tmp_path, oidc_fcgi_bin):
    config = make_config(
        socket_path=tmp_path / "s.sock", public_url="http://127.0.0.1:8080", issuer="http://127.0.0.1:9400",
        store="memcached", memcached_address="127.0.0.1:11211",
    )
    result = check_config(write_config(tmp_path / "good.yaml", config))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "where, key",
    [((), "sesion_timeout"), (("session",), "inactivty_timeout"), (("cookie",), "secrue")],
    ids=["top-level", "in-session", "in-cookie"],
)
def test_unknown_key_is_rejected_by_name(tmp_path, good_config, oidc_fcgi_bin, where, key):
    config = copy.deepcopy(good_config)
    target = config
    for part in where:
        target = target[part]
    target[key] = "1h"
    result = check_config(write_config(tmp_path / "bad.yaml", config))
    assert result.returncode != 0
    assert key in result.stdout + result.stderr


@pytest.mark.parametrize(
    "change, key",
    [
        (lambda c: c["session"].update(inactivity_timeout="soon"), "inactivity_timeout"),
        (lambda c: c["session"].update(secrets=["short"]), "secrets"),
        (lambda c: c.pop("providers"), "providers"),
    ],
    ids=["bad-duration", "short-secret", "no-providers"],
)
def test_invalid_value_is_rejected_by_name(tmp_path, good_config, oidc_fcgi_bin, change, key):
    config = copy.deepcopy(good_config)
    change(config)
    result = check_config(write_config(tmp_path / "bad.yaml", config))
    assert result.returncode != 0
    assert key in result.stdout + result.stderr


def test_serve_exits_0_on_sigterm(memory_stack):
    assert memory_stack.oidc.stop() == 0, memory_stack.oidc.process.log_tail()
