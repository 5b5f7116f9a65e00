"""A real memcached on 127.0.0.1, stoppable and restartable on the same port,
and freezable: SIGSTOP makes it hung (connections are still accepted by the
kernel, nothing is answered), SIGCONT wakes it with its data intact."""

from __future__ import annotations

import os
import shutil
import signal
import socket
from pathlib import Path

from .ports import free_port
from .process import ManagedProcess


def memcached_answers(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
        s.sendall(b"version\r\n")
        return s.recv(64).startswith(b"VERSION")


class Memcached:
    def __init__(self, workdir: Path, port: int | None = None, name: str = "memcached") -> None:
        self.port = port or free_port()
        self.workdir = workdir
        self.name = name  # names the log file: several servers share a workdir
        self.process: ManagedProcess | None = None
        self.frozen = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 10) -> "Memcached":
        binary = shutil.which("memcached") or "/usr/bin/memcached"
        argv = [binary, "-l", "127.0.0.1", "-p", str(self.port), "-U", "0", "-m", "16", "-c", "256", "-t", "2"]
        if os.geteuid() == 0:
            argv += ["-u", "nobody"]  # memcached refuses to run as root
        self.process = ManagedProcess(self.name, argv, self.workdir / "logs" / f"{self.name}.log").start()
        self.process.wait_ready(lambda: memcached_answers(self.port), timeout, "answering on " + self.address)
        return self

    def freeze(self) -> None:
        """SIGSTOP by PID: hung, not dead. Always pair with `thaw` (stop() does)."""
        assert self.process and self.process.alive(), "memcached is not running"
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        """SIGCONT by PID; harmless when not frozen."""
        if self.process and self.process.alive():
            os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def kill(self) -> None:
        """SIGKILL by PID: dead at once, its data gone."""
        if self.process:
            self.process.stop(sig=signal.SIGKILL)

    def stop(self) -> None:
        if self.process:
            # A stopped process would hold a SIGTERM pending until the kill timeout.
            self.thaw()
            self.process.stop()

    def restart(self) -> None:
        self.stop()
        self.start()
