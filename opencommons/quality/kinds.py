"""Attestation kinds: the names validators attest under (their keccak-256 is the on-chain kind)."""

from __future__ import annotations

import difflib

from ..errors import OpenCommonsError

#: attestation kinds the CLI, the quality tools and the explorer know by name
KNOWN_KINDS = ("quality", "integrity", "validity", "uniqueness", "ownership", "schema", "completeness", "accuracy",
               "provenance", "license", "duplicates", "bias")


def kind_names() -> dict[str, str]:
    """Each known kind by its on-chain key (0x-hex keccak-256 of the name)."""
    from web3 import Web3

    return {"0x" + bytes(Web3.keccak(text=k)).hex(): k for k in KNOWN_KINDS}


def check_kind(kind: str) -> str:
    """`kind` in its canonical (lower) case, or OpenCommonsError naming the closest known kind."""
    name = kind.strip().lower()
    if name in KNOWN_KINDS:
        return name
    close = difflib.get_close_matches(name, KNOWN_KINDS, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise OpenCommonsError(f"unknown attestation kind {kind!r}{hint}: use one of {', '.join(KNOWN_KINDS)}")
