"""scripts/build-deb: the package builds from an existing release binary,
lintian finds no error or warning, it installs with apt, its example
configuration passes check-config, and a purge removes what it created.
Runs where dpkg and apt are and as root (CI); changes the machine's
packages while it runs and purges the package at the end."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.oidc_fcgi import REPO

pytestmark = pytest.mark.skipif(
    not (shutil.which("dpkg-deb") and shutil.which("apt-get") and os.geteuid() == 0),
    reason="needs dpkg, apt and root",
)

CREATED = [Path("/etc/oidc-fcgi"), Path("/run/oidc-fcgi"), Path("/var/lib/oidc-fcgi"), Path("/usr/bin/oidc-fcgi"),
           Path("/usr/lib/oidc-fcgi"), Path("/usr/share/oidc-fcgi"), Path("/lib/systemd/system/oidc-fcgi.service")]


def sh(*argv: str, timeout: float = 120, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if check:
        assert result.returncode == 0, f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def installed() -> bool:
    result = sh("dpkg-query", "-W", "-f=${Status}", "oidc-fcgi", check=False)
    return "install ok installed" in result.stdout


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def package(tmp_path_factory, oidc_fcgi_bin) -> Path:
    if installed():
        pytest.skip("an oidc-fcgi package is installed on this machine already; not touching it")
    out = tmp_path_factory.mktemp("deb")
    sh("bash", str(REPO / "scripts/build-deb"), "--binary", str(oidc_fcgi_bin), "--out", str(out), "--no-lintian", timeout=300)
    built = sorted(out.glob("oidc-fcgi_*.deb"))
    assert len(built) == 1, built
    return built[0]


def test_the_package_is_named_and_described_as_debian_expects(package, oidc_fcgi_bin):
    version = sh(str(oidc_fcgi_bin), "--version").stdout.strip()
    arch = sh("dpkg", "--print-architecture").stdout.strip()
    assert package.name == f"oidc-fcgi_{version}_{arch}.deb"
    fields = sh("dpkg-deb", "-f", str(package), "Depends").stdout
    for library in ("libfcgi0ldbl", "libcurl4", "libmemcached11", "libcjose0"):
        assert library in fields, fields
    assert sh("dpkg-deb", "-f", str(package), "Version").stdout.strip() == version
    conffiles = subprocess.run(["dpkg-deb", "-I", str(package), "conffiles"], capture_output=True, text=True, timeout=30).stdout
    assert conffiles.split() == ["/etc/oidc-fcgi/config.yaml"]


def test_lintian_finds_no_error_or_warning(package):
    if not shutil.which("lintian"):
        pytest.skip("lintian is not installed (scripts/build-deb installs it)")
    result = sh("lintian", "--suppress-tags", "running-with-root-privileges", str(package), check=False, timeout=240)
    complaints = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert complaints == [], result.stdout


def test_install_check_and_purge(package, tmp_path):
    user_before = user_exists("oidc-fcgi")
    try:
        sh("apt-get", "install", "-y", "-q", f"./{package.name}", cwd=package.parent, timeout=240)
        assert installed()

        checked = sh("/usr/bin/oidc-fcgi", "check-config", "/etc/oidc-fcgi/config.yaml")
        assert "valid" in checked.stdout
        assert sh("/usr/bin/oidc-fcgi", "--version").stdout.strip()
        # The Swift runtime comes from the package, not from the toolchain.
        linked = sh("ldd", "/usr/bin/oidc-fcgi").stdout
        assert "not found" not in linked and "/usr/lib/oidc-fcgi/libswiftCore.so" in linked, linked

        assert user_exists("oidc-fcgi")
        runtime = Path("/run/oidc-fcgi").stat()
        assert pwd.getpwuid(runtime.st_uid).pw_name == "oidc-fcgi" and oct(runtime.st_mode & 0o777) == "0o750"
        secret = Path("/etc/oidc-fcgi/session.secret").stat()
        assert secret.st_mode & 0o007 == 0, "the session secret is not readable by others"
        for shipped in ("nginx/oidc-fcgi-protect.conf", "nginx/oidc-fcgi-server.conf", "apache/oidc-fcgi-protect.conf"):
            assert Path("/usr/share/oidc-fcgi", shipped).read_text() == (REPO / shipped).read_text()
        man = sh("man", "-P", "cat", "/usr/share/man/man1/oidc-fcgi.1.gz", check=False).stdout if shutil.which("man") else \
            sh("zcat", "/usr/share/man/man1/oidc-fcgi.1.gz").stdout
        assert "check-config" in man and "nginx-conf" in man

        # The installed configuration can write the include files.
        sh("/usr/bin/oidc-fcgi", "nginx-conf", "--config", "/etc/oidc-fcgi/config.yaml", "--out", str(tmp_path / "nginx"))
        assert (tmp_path / "nginx" / "oidc-fcgi-protect.conf").is_file()

        if shutil.which("systemd-analyze"):
            verified = sh("systemd-analyze", "verify", "/lib/systemd/system/oidc-fcgi.service", check=False)
            assert verified.returncode == 0, verified.stderr
    finally:
        if installed():
            sh("apt-get", "purge", "-y", "-q", "oidc-fcgi", timeout=240)

    assert not installed()
    for path in CREATED:
        assert not path.exists(), f"{path} is left after purge"
    if not user_before:
        assert not user_exists("oidc-fcgi"), "the user the package created is left after purge"
