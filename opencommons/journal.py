"""A local journal of multi-step operations, so that an interrupted one can be finished.

Each operation is a JSON file named by a key derived from its inputs; every step is recorded
before it starts and after it ends (written to a temporary file, then renamed).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .home import HOME_ENV, opencommons_home  # noqa: F401 - HOME_ENV re-exported
FAULT_ENV = "OPENCOMMONS_FAULT_AT"
FAULT_EXIT = 97


def default_dir() -> Path:
    return opencommons_home("journal")


def key_of(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:32]


class Journal:
    def __init__(self, directory: Path, key: str, inputs: dict[str, Any]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{key}.json"
        if self.path.exists():
            self.data: dict[str, Any] = json.loads(self.path.read_text())
        else:
            self.data = {"inputs": inputs, "events": [], "done": {}}

    def done(self, step: str) -> dict[str, Any] | None:
        value = self.data["done"].get(step)
        return value if isinstance(value, dict) else None

    def begin(self, step: str, info: dict[str, Any] | None = None) -> None:
        """Records that `step` starts; `info` (a nonce, a predicted address) is kept for a resume."""
        if info:
            self.data.setdefault("started", {})[step] = info
        self._append(step, "started", info or {})

    def started(self, step: str) -> dict[str, Any] | None:
        """What :meth:`begin` recorded for a step that started and has not finished."""
        if step in self.data["done"]:
            return None
        value = self.data.get("started", {}).get(step)
        return value if isinstance(value, dict) else None

    def finish(self, step: str, result: dict[str, Any]) -> None:
        self.data["done"][step] = result
        self._append(step, "done", result)

    def _append(self, step: str, state: str, result: dict[str, Any]) -> None:
        self.data["events"].append({"step": step, "state": state, "at": time.time(), **result})
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal-")
        with os.fdopen(fd, "w") as handle:
            json.dump(self.data, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


@contextmanager
def exclusive(directory: Path, key: str) -> Iterator[None]:
    """The operation `key` run by one process at a time: a second one (the same publish started
    twice) waits here for the first to end, then reads the journal it left and finds the work
    done, instead of racing it on-chain. The lock is the kernel's (flock): a killed process
    releases it."""
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f".{key}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fault_point(name: str) -> None:
    """Test hook: the process dies here when OPENCOMMONS_FAULT_AT names this point."""
    if os.environ.get(FAULT_ENV) == name:
        os._exit(FAULT_EXIT)
