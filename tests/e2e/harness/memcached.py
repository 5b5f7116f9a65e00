"""A real memcached on 127.0.0.1, stoppable and restartable on the same port."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from .ports import free_port
from .process import ManagedProcess


def memcached_answers(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
        s.sendall(b"version\r\n")
        return s.recv(64).startswith(b"VERSION")


class Memcached:
    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.workdir = workdir
        self.process: ManagedProcess | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 10) -> "Memcached":
        binary = shutil.which("memcached") or "/usr/bin/memcached"
        argv = [binary, "-l", "127.0.0.1", "-p", str(self.port), "-U", "0", "-m", "16", "-c", "256", "-t", "2"]
        if os.geteuid() == 0:
            argv += ["-u", "nobody"]  # memcached refuses to run as root
        self.process = ManagedProcess("memcached", argv, self.workdir / "logs" / "memcached.log").start()
        self.process.wait_ready(lambda: memcached_answers(self.port), timeout, "answering on " + self.address)
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def restart(self) -> None:
        self.stop()
        self.start()
