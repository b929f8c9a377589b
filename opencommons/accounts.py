"""Keystore accounts (eth-account's encrypted JSON, the format geth and MetaMask export) kept in
``$OPENCOMMONS_HOME/keystores`` (default ``~/.opencommons/keystores``), one file per address."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import OpenCommonsError
from .home import opencommons_home

MIN_PASSWORD_LENGTH = 8
#: where a keystore's password is read from (else the CLI prompts); `connection` reads it too
PASSWORD_ENV = "OPENCOMMONS_KEYSTORE_PASSWORD"


def keystore_dir() -> Path:
    return opencommons_home("keystores")


@dataclass(frozen=True)
class StoredAccount:
    address: str | None  # None: the file is not a keystore
    path: Path


def create(password: str, folder: Path | None = None) -> StoredAccount:
    """A new key, encrypted with `password` (scrypt), written atomically with mode 0600."""
    from eth_account import Account  # eth-account is loaded only when a key is made

    if len(password) < MIN_PASSWORD_LENGTH:
        raise OpenCommonsError(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters")
    target = folder or keystore_dir()
    target.mkdir(parents=True, exist_ok=True)
    account = Account.create()
    keyfile = Account.encrypt(account.key, password)
    path = target / f"{account.address}.json"
    fd, tmp = tempfile.mkstemp(dir=target, prefix=".new-")
    with os.fdopen(fd, "w") as handle:
        json.dump(keyfile, handle)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return StoredAccount(account.address, path)


def listed(folder: Path | None = None) -> list[StoredAccount]:
    from web3 import Web3

    target = folder or keystore_dir()
    if not target.is_dir():
        return []
    out = []
    for path in sorted(target.glob("*.json")):
        try:
            raw = json.loads(path.read_text()).get("address")
            address = Web3.to_checksum_address("0x" + str(raw).removeprefix("0x")) if raw else None
        except (OSError, ValueError, AttributeError):
            address = None
        out.append(StoredAccount(address, path))
    return out
