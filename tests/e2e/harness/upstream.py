"""The echo upstream (echo_app.py) as a process, and what it received."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .ports import can_connect, free_port
from .process import ManagedProcess


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        """The value of header `name` (case-insensitive); None when absent."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def cookie_names(self) -> list[str]:
        names = []
        for header in self.header_values("Cookie"):
            for part in header.split(";"):
                if "=" in part:
                    names.append(part.split("=", 1)[0].strip())
        return names


def parse_record(record: dict) -> ReceivedRequest:
    return ReceivedRequest(record["method"], record["path"], [tuple(h) for h in record["headers"]])


class EchoUpstream:
    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log = workdir / "upstream-requests.jsonl"
        self.log.touch()
        self.workdir = workdir
        self.process: ManagedProcess | None = None

    def start(self) -> "EchoUpstream":
        argv = [sys.executable, str(Path(__file__).with_name("echo_app.py")), "--port", str(self.port), "--log", str(self.log)]
        self.process = ManagedProcess("upstream", argv, self.workdir / "logs" / "upstream.log").start()
        return self

    def wait_ready(self, timeout: float = 10) -> None:
        self.process.wait_ready(lambda: can_connect(self.port), timeout, f"listening on {self.port}")

    def received(self) -> list[ReceivedRequest]:
        lines = self.log.read_text().splitlines()
        return [parse_record(json.loads(line)) for line in lines if line.strip()]

    def count(self) -> int:
        return len(self.received())

    def stop(self) -> None:
        if self.process:
            self.process.stop()
