"""`oidc-fcgi check-config` accepts a good config, rejects a bad one and says
which key is wrong; `serve` stops cleanly on SIGTERM."""

import copy

import pytest

from harness.oidc_fcgi import check_config, make_config, to_yaml, write_config


@pytest.fixture
def good_config(tmp_path):
    return make_config(
        socket_path=tmp_path / "s.sock", public_url="http://127.0.0.1:8080", issuer="http://127.0.0.1:9400"
    )


def test_good_config_is_accepted(tmp_path, good_config, oidc_fcgi_bin):
    result = check_config(write_config(tmp_path / "good.yaml", good_config))
    assert result.returncode == 0, result.stdout + result.stderr


def test_metrics_listen_is_accepted_and_shown(tmp_path, good_config, oidc_fcgi_bin):
    config = copy.deepcopy(good_config)
    config["metrics"] = {"listen": "tcp:127.0.0.1:9464"}
    result = check_config(write_config(tmp_path / "metrics.yaml", config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "metrics tcp:127.0.0.1:9464" in result.stdout


@pytest.mark.parametrize("listen", ["unix:/run/metrics.sock", "9464", "tcp:127.0.0.1:0"])
def test_bad_metrics_listen_is_rejected_by_name(tmp_path, good_config, oidc_fcgi_bin, listen):
    config = copy.deepcopy(good_config)
    config["metrics"] = {"listen": listen}
    result = check_config(write_config(tmp_path / "bad.yaml", config))
    assert result.returncode == 2
    assert "metrics.listen: must be tcp:HOST:PORT" in result.stdout + result.stderr


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


def test_invalid_utf8_is_rejected_with_key_and_line(tmp_path, good_config, oidc_fcgi_bin):
    text = to_yaml(good_config).replace("e2e-partner-secret", "e2e-partner-s\udcffcret")
    path = tmp_path / "latin1.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    line = text[: text.index("\udcff")].count("\n") + 1
    result = check_config(path)
    assert result.returncode == 2
    assert f"providers[1].client_secret: line {line}, column" in result.stderr
    assert "byte 0xFF is not UTF-8" in result.stderr


def test_oversized_file_is_refused_quickly(tmp_path, oidc_fcgi_bin):
    path = tmp_path / "huge.yaml"
    with path.open("w") as f:
        for index in range(400_000):  # about 10 MB of unknown keys
            f.write(f"unknown_key_{index}: value\n")
    result = check_config(path, timeout=10)
    assert result.returncode == 2
    assert "is larger than 1 MiB" in result.stderr
    assert len(result.stderr.splitlines()) == 2


def test_many_problems_are_capped(tmp_path, good_config, oidc_fcgi_bin):
    path = tmp_path / "typos.yaml"
    path.write_text(to_yaml(good_config) + "\n" + "".join(f"typo_{i}: 1\n" for i in range(5000)))
    result = check_config(path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 + 50 + 1, result.stderr[:2000]
    assert lines[-1] == "  … and 4950 more"


def test_merge_keys_share_provider_defaults(tmp_path, good_config, oidc_fcgi_bin):
    main = good_config["providers"][0]
    config = {k: v for k, v in good_config.items() if k != "providers"}
    text = to_yaml(config) + f"""
x-provider-defaults: &defaults
  issuer: {main["issuer"]}
  scopes: [openid, email, profile]
providers:
  - <<: *defaults
    name: main
    client_id: {main["client_id"]}
    client_secret: {main["client_secret"]}
  - <<: *defaults
    name: partner
    client_id: partner
    client_secret: e2e-partner-secret
"""
    path = tmp_path / "merge.yaml"
    path.write_text(text)
    result = check_config(path)
    assert result.returncode == 0, result.stderr
    assert "providers: main, partner" in result.stdout


def test_unsigned_id_tokens_are_an_opt_in_with_a_warning(tmp_path, good_config, oidc_fcgi_bin):
    config = copy.deepcopy(good_config)
    config["providers"][1]["id_token_signing_algs"] = ["RS256", "none"]
    result = check_config(write_config(tmp_path / "none.yaml", config))
    assert result.returncode == 0, result.stderr
    [warning] = [line for line in result.stdout.splitlines() if line.startswith("warning:")]
    assert "providers[partner].id_token_signing_algs lists none" in warning
    assert "https" in warning
    assert "warning" not in check_config(write_config(tmp_path / "signed.yaml", good_config)).stdout


def test_private_key_jwt_needs_a_readable_private_key(tmp_path, good_config, oidc_fcgi_bin):
    config = copy.deepcopy(good_config)
    main = config["providers"][0]
    main.pop("client_secret")
    main.update(token_endpoint_auth_method="private_key_jwt", client_private_key_file=str(tmp_path / "missing.pem"))
    result = check_config(write_config(tmp_path / "nokey.yaml", config))
    assert result.returncode != 0
    assert f"providers[0].client_private_key_file: cannot read {tmp_path / 'missing.pem'}" in result.stderr


def test_serve_exits_0_on_sigterm(memory_stack):
    assert memory_stack.oidc.stop() == 0, memory_stack.oidc.process.log_tail()
