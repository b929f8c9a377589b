"""Starts and stops a local development chain (Ganache 7.9.2 or Anvil from the project's npm)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from web3 import HTTPProvider, Web3

from ..errors import ChainError

_REPO_BIN = Path(__file__).resolve().parents[2] / "node_modules" / ".bin"
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _binary(name: str) -> str:
    local = _REPO_BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise ChainError(f"{name} not found (looked in {_REPO_BIN} and PATH); run `make setup`")
    return found


class LocalChain:
    """A Ganache or Anvil process on a loopback port, at the Shanghai hardfork."""

    def __init__(self, kind: str = "ganache", port: int | None = None, accounts: int = 10,
                 balance_eth: int = 10_000, chain_id: int | None = None, fork_url: str | None = None,
                 prune_history: bool = False) -> None:
        if kind not in ("ganache", "anvil"):
            raise ChainError(f"unknown local chain {kind!r}: use ganache or anvil")
        self.kind = kind
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.accounts = accounts
        self.balance_eth = balance_eth
        self.chain_id = chain_id
        #: Anvil only: a copy of that chain's state (a deploy's dry run sends everything there)
        self.fork_url = fork_url
        #: Anvil only: keep no old states (logs and receipts stay; calls at old blocks fail). A chain of
        #: 100,000 datasets otherwise writes tens of GB of states to its cache directory.
        self.prune_history = prune_history
        self._proc: subprocess.Popen[bytes] | None = None
        # Anvil writes the states it moves out of memory under its cache path (~/.foundry/anvil/tmp by
        # default) and leaves them there when killed: each chain gets its own, removed on stop.
        self._cache: tempfile.TemporaryDirectory[str] | None = None

    def command(self) -> list[str]:
        if self.kind == "anvil":
            return [_binary("anvil"), "--port", str(self.port), "--hardfork", "shanghai", "--accounts",
                    str(self.accounts), "--balance", str(self.balance_eth), "--gas-limit", "30000000",
                    "--silent"] + (["--chain-id", str(self.chain_id)] if self.chain_id else []) + (
                        ["--fork-url", self.fork_url] if self.fork_url else []) + (
                        ["--cache-path", self._cache.name] if self._cache else []) + (
                        ["--prune-history"] if self.prune_history else [])
        return [_binary("ganache"), "--server.port", str(self.port), "--hardfork", "shanghai",
                "--wallet.totalAccounts", str(self.accounts), "--wallet.defaultBalance", str(self.balance_eth),
                "--miner.blockGasLimit", "30000000", "--chain.vmErrorsOnRPCResponse", "true",
                "--wallet.mnemonic", "opencommons demo", "--logging.quiet", "true"] + (
                    ["--chain.chainId", str(self.chain_id)] if self.chain_id else [])

    def start(self) -> "LocalChain":
        if self.kind == "anvil" and self._cache is None:
            self._cache = tempfile.TemporaryDirectory(prefix="anvil-cache-")
        self._proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT_S
        w3 = Web3(HTTPProvider(self.url, request_kwargs={"timeout": 5}))
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read() if self._proc.stderr else b"").decode(errors="replace")
                raise ChainError(f"{self.kind} exited at start (port {self.port}): {err.strip()[:300]}")
            try:
                if w3.is_connected():
                    return self
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(0.2)
        self.stop()
        raise ChainError(f"{self.kind} did not answer on {self.url} within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if self._cache is not None:
            self._cache.cleanup()
            self._cache = None

    def __enter__(self) -> "LocalChain":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
