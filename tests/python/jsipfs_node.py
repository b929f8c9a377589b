"""A real IPFS peer for the tests: js-ipfs (npm `ipfs` 0.66.1) serving the Kubo RPC API offline.

Its repo gets no swarm addresses (the daemon hangs otherwise) and loopback API and gateway
ports; `jsipfs daemon --offline` then serves /api/v0 add, cat, get, pin, dag import/export.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
JSIPFS = ROOT / "node_modules" / ".bin" / "jsipfs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JsIpfsNode:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.port = _free_port()
        self.api = f"/ip4/127.0.0.1/tcp/{self.port}/http"
        self.url = f"http://127.0.0.1:{self.port}/api/v0"
        self.env = {**os.environ, "IPFS_PATH": str(repo)}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> "JsIpfsNode":
        if not (self.repo / "config").exists():
            self._init(timeout)
        return self._run(timeout)

    def _init(self, timeout: float) -> None:
        subprocess.run([str(JSIPFS), "init", "--empty-repo"], env=self.env, check=True, capture_output=True,
                       timeout=timeout)
        config_path = self.repo / "config"
        config = json.loads(config_path.read_text())
        config["Addresses"]["Swarm"] = []
        config["Addresses"]["API"] = f"/ip4/127.0.0.1/tcp/{self.port}"
        config["Addresses"]["Gateway"] = f"/ip4/127.0.0.1/tcp/{_free_port()}"
        config["Addresses"]["RPC"] = f"/ip4/127.0.0.1/tcp/{_free_port()}"
        config["Bootstrap"] = []
        config_path.write_text(json.dumps(config))

    def _run(self, timeout: float) -> "JsIpfsNode":
        self.proc = subprocess.Popen([str(JSIPFS), "daemon", "--offline"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"js-ipfs exited: {self.proc.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
            try:
                if requests.post(f"{self.url}/version", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"js-ipfs did not answer on {self.url}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def add(self, path: Path, cid_version: int, shard_split_threshold: int | None = None) -> str:
        """The CID js-ipfs's own importer gives (`ipfs add -r --only-hash`: nothing is stored, the
        callers compare CIDs; storing made a 20,000-entry directory take ~70 s instead of ~6), on a
        hard-linked copy without dot-names: the HTTP client always uploads hidden files, and
        js-ipfs refuses a one-letter directory name.
        js-ipfs shards a directory by entry count (more than `shard_split_threshold`, 1,000 by
        default), where Kubo shards by estimated size."""
        import tempfile

        import ipfshttpclient

        client = ipfshttpclient.Client(self.api, timeout=600)
        opts = {} if shard_split_threshold is None else {"shard-split-threshold": shard_split_threshold}
        with tempfile.TemporaryDirectory() as tmp:
            upload = _stage(path, Path(tmp) / "content") if path.is_dir() else path
            result = client.add(str(upload), recursive=upload.is_dir(), cid_version=cid_version,
                                raw_leaves=cid_version == 1, pin=False, only_hash=True, opts=opts)
        entries = result if isinstance(result, list) else [result]
        root = next((e for e in reversed(entries) if e["Name"] == "content"), entries[-1])
        return str(root["Hash"])


def _stage(source: Path, target: Path) -> Path:
    target.mkdir()
    for child in sorted(source.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            _stage(child, target / child.name)
        else:
            os.link(child, target / child.name)
    return target
