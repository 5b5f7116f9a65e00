"""Background load for fault tests: a number of threads that each repeat one
request until the `with` block ends. Subclasses say what one thread does in
`_run(index)`, looping until `self._stop` is set, and record under `self._lock`."""

from __future__ import annotations

import threading


class BackgroundLoad:
    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def _run(self, index: int) -> None:
        raise NotImplementedError

    def __enter__(self):
        for i in range(self.threads):
            thread = threading.Thread(target=self._run, args=(i,), daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(15)
        assert not any(t.is_alive() for t in self._workers), "a load thread did not finish"
