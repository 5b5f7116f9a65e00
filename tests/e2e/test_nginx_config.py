"""The shipped nginx files are valid for the real nginx (`nginx -t`), both as
the full example site and as includes in the test server."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness.nginx import EXAMPLE_SITE, NGINX_DIR, SERVER_CONF, check_config, main_conf, prepare_prefix, site_conf


@pytest.fixture
def prefix():
    path = Path(tempfile.mkdtemp(prefix="oidc-fcgi-nginx-t-"))
    prepare_prefix(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_example_site_passes_nginx_t(prefix):
    # The example includes oidc-fcgi/<file> relative to the nginx config
    # directory, as installed under /etc/nginx/oidc-fcgi/.
    os.symlink(NGINX_DIR, prefix / "oidc-fcgi")
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, f"    include {EXAMPLE_SITE};\n"))
    result = check_config(conf, prefix)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_includes_pass_nginx_t_in_the_test_server(prefix):
    # The test server also has a location choosing its provider with
    # `set $oidc_provider partner;` before the include.
    site = site_conf(port=1, oidc_socket=prefix / "x.sock", upstream_port=2)
    assert "set $oidc_provider partner;" in site
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, site))
    result = check_config(conf, prefix)
    assert result.returncode == 0, result.stderr


def test_auth_subrequest_never_carries_the_body():
    text = SERVER_CONF.read_text()
    auth = text[text.index("location = /_oidc/auth") :].split("\n}\n", 1)[0]
    assert "internal;" in auth
    assert "fastcgi_pass_request_body off;" in auth
    assert 'fastcgi_param CONTENT_LENGTH "";' in auth
    assert "fastcgi_param OIDC_ACTION auth;" in auth
