"""One server process: started with its output in a log file, waited for with
a deadline, stopped by its PID (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# Every process started and not yet stopped, so nothing outlives the run even
# when a fixture's own teardown never ran.
_running: dict[int, "ManagedProcess"] = {}


class ProcessFailed(RuntimeError):
    pass


class ManagedProcess:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_path)
        self.env = env
        self.cwd = cwd
        self.popen: subprocess.Popen | None = None
        self.returncode: int | None = None

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    def start(self) -> "ManagedProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} start: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                # Own process group: a stray SIGINT from a terminal does not
                # reach it, and its children can be reaped with it.
                start_new_session=True,
            )
        self.returncode = None
        _running[self.popen.pid] = self
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, check: Callable[[], bool], timeout: float, what: str = "ready") -> None:
        """Poll `check` until it is true; fail early if the process exits."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                rc = self.popen.returncode if self.popen else None
                raise ProcessFailed(f"{self.name} exited with status {rc} before it was {what}\n{self.log_tail()}")
            try:
                if check():
                    return
            except Exception:  # noqa: BLE001 - not ready yet
                pass
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{self.name} was not {what} within {timeout}s\n{self.log_tail()}")
            time.sleep(0.05)

    def stop(self, timeout: float = 5.0, sig: int = signal.SIGTERM) -> int | None:
        """Stop by PID; returns the exit status (negative: killed by signal)."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            try:
                os.kill(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.popen.wait(5)
        # Children the process may have left behind (nginx workers) share its
        # process group, which is this PID.
        self._kill_group()
        self.returncode = self.popen.returncode
        _running.pop(self.popen.pid, None)
        return self.returncode

    def _kill_group(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_text().splitlines()
        return f"--- last {min(lines, len(text))} lines of {self.log_path}\n" + "\n".join(text[-lines:])


def stop_all() -> None:
    for proc in list(_running.values()):
        proc.stop(timeout=3)


atexit.register(stop_all)
