"""bench/run as a smoke pass (`--quick`: 2 s per set-up, one round): it
starts its set-ups, logs in for real, loads them with wrk and writes its
results file; and it refuses to report a run whose answers were not the
expected ones. No figure is checked against a limit: only that there are
figures."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "run"
TIMEOUT = 120  # seconds, for the whole bench/run


def run_bench(binary: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, str(BENCH), "--quick", "--binary", str(binary), "--out", str(out), *extra]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO)
    # A refused run keeps its logs for a person to read; a test has printed them.
    if m := re.search(r"logs kept in (\S+)", done.stdout + done.stderr):
        shutil.rmtree(m.group(1), ignore_errors=True)
    return done


def median_rows(results: str) -> dict[str, float]:
    """set-up letter -> req/s, from the results file's table of medians."""
    section = results.split("## Results (medians)", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 3 and re.fullmatch(r"[A-J]", cells[0]):
            rows[cells[0]] = float(cells[2].replace(",", ""))
    return rows


def test_a_quick_pass_reports_every_requested_set_up(oidc_fcgi_bin, tmp_path):
    out = tmp_path / "results.md"
    done = run_bench(oidc_fcgi_bin, out, "--only", "A,B,D,H")
    assert done.returncode == 0, f"bench/run failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    results = out.read_text()
    rows = median_rows(results)
    assert set(rows) == set("ABDH"), rows
    assert all(rps > 0 for rps in rows.values()), rows
    for section in ("## Versions", "## Machine", "## Targets", "## Every round", "## Resident memory", "## Findings"):
        assert section in results


def test_a_run_with_unexpected_answers_is_refused(oidc_fcgi_bin, tmp_path):
    out = tmp_path / "results.md"
    # D's cookie is well formed but names no session: its answers are the login
    # redirect (302), not the 200 the set-up expects.
    done = run_bench(oidc_fcgi_bin, out, "--only", "D", "--invalid-session-for-d")
    assert done.returncode != 0, done.stdout[-4000:]
    assert "refusing to report" in done.stderr and "set-up D" in done.stderr, done.stderr[-4000:]
    assert re.search(r"unexpected statuses in the access log: 302 × \d+ \(expected 200\)", done.stderr), done.stderr[-4000:]
    assert not out.exists()
