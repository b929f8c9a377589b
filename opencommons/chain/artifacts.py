"""Compiled contract artifacts (ABI + bytecode) and the custom-error table built from them.

Artifacts are brownie's build output (``build/contracts``), copied into the package's
``data/contracts`` by ``make setup``; ``OPENCOMMONS_ARTIFACTS`` points elsewhere.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from eth_utils.crypto import keccak

from ..errors import DeploymentError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent / "data" / "contracts"
_REPO_BUILD_DIR = Path(__file__).resolve().parents[2] / "build" / "contracts"
_NONZERO = bytes([0] + [0xFF] * 255)  # bytes.translate table: 0 stays 0, anything else 0xff


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    compiler: dict[str, Any]
    runtime: str = ""  # deployed code; immutables are zero bytes here

    def matches_code(self, code: bytes) -> bool:
        """Whether `code` (read from the chain) is this contract's runtime code: equal length and
        equal bytes everywhere but the zero bytes, where the compiler leaves immutables."""
        runtime = bytes.fromhex(self.runtime.removeprefix("0x"))
        if not runtime or len(code) != len(runtime):
            return False
        mask = runtime.translate(_NONZERO)
        return int.from_bytes(code, "big") & int.from_bytes(mask, "big") == int.from_bytes(runtime, "big")


def artifact_dirs() -> list[Path]:
    env = os.environ.get("OPENCOMMONS_ARTIFACTS")
    return [Path(env)] if env else [_PACKAGE_DIR, _REPO_BUILD_DIR]


@lru_cache(maxsize=None)
def load(name: str) -> Artifact:
    for directory in artifact_dirs():
        path = directory / f"{name}.json"
        if path.is_file():
            data = json.loads(path.read_text())
            return Artifact(name, data["abi"], data.get("bytecode", ""), data.get("compiler", {}),
                            data.get("deployedBytecode") or "")
    searched = ", ".join(str(d) for d in artifact_dirs())
    raise DeploymentError(f"no compiled artifact for {name} (searched {searched}); run `make setup`")


@lru_cache(maxsize=None)
def error_table() -> dict[bytes, tuple[str, list[dict[str, Any]]]]:
    """selector -> (error name, ABI inputs), for every custom error of every artifact."""
    table: dict[bytes, tuple[str, list[dict[str, Any]]]] = {}
    for directory in artifact_dirs():
        if not directory.is_dir():
            continue
        for path in directory.glob("*.json"):
            try:
                abi = json.loads(path.read_text()).get("abi", [])
            except (OSError, ValueError):
                continue
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = ",".join(_canonical_type(i) for i in item["inputs"])
                selector = keccak(text=f"{item['name']}({types})")[:4]
                table.setdefault(selector, (item["name"], item["inputs"]))
    return table


def _canonical_type(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in item["components"])
        return f"({inner}){kind[5:]}"
    return kind
