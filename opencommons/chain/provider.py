"""The one way the library opens a JSON-RPC connection."""

from __future__ import annotations

from web3 import HTTPProvider, Web3


def web3_for(url: str, timeout: float = 60) -> Web3:
    """A Web3 on `url` that caches what never changes (eth_chainId and friends): web3.py would
    otherwise ask for the chain id many times per transaction."""
    return Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}, cache_allowed_requests=True))
