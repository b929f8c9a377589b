"""A real PostgreSQL server (Debian's package) in a temporary folder on a free port, started and
stopped by the tests. As root it runs as the `postgres` user, which the package creates."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def _binaries() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make setup` installs Debian's postgresql package")
    return os.path.dirname(found[-1])


class PostgresServer:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.root = tempfile.mkdtemp(prefix="oc-pg-", dir="/tmp")
        os.chmod(self.root, 0o755)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True)

    def start(self) -> "PostgresServer":
        data = os.path.join(self.root, "data")
        self._run(f"{self.bin}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run(f"{self.bin}/pg_ctl", "-D", data, "-l", os.path.join(self.root, "log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not listen on {self.port}")

    def stop(self) -> None:
        try:
            self._run(f"{self.bin}/pg_ctl", "-D", os.path.join(self.root, "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
