"""The one way the library opens a JSON-RPC connection."""

from __future__ import annotations

from typing import Any

from web3 import HTTPProvider, Web3


def web3_for(url: str, timeout: float = 60) -> Web3:
    """A Web3 on `url` that caches what never changes (eth_chainId and friends): web3.py would
    otherwise ask for the chain id many times per transaction. Without web3.py's gas price
    strategy middleware, which reads the latest block before every `eth_sendTransaction` to apply
    a legacy gas price strategy (none is set here) and to check fee fields that
    :func:`transactions.send` always fills consistently: one request less per transaction."""
    _validate_each_abi_once()
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}, cache_allowed_requests=True))
    w3.middleware_onion.remove("gas_price_strategy")
    return w3


def _validate_each_abi_once() -> None:
    """web3.py 7.16 validates a contract's whole ABI (the selector of every function, a Keccak
    each) every time it encodes a call: ~3 ms for DatasetNFT's, a third of a batch publish's time
    (profiled: 5,125 validations for 200 publications). Here each ABI object is validated the first
    time only; the library's ABIs come from the compiled artifacts, are built into contracts once
    and never change. The objects are kept (so an id is never another's), at most 512."""
    from web3.utils import abi as web3_abi

    validate = getattr(web3_abi, "validate_abi")
    if getattr(validate, "_validates_once", False):
        return
    valid: dict[int, Any] = {}

    def validate_once(abi: Any) -> None:
        if valid.get(id(abi)) is abi:
            return
        validate(abi)
        if len(valid) >= 512:
            valid.clear()
        valid[id(abi)] = abi

    validate_once._validates_once = True  # type: ignore[attr-defined]
    setattr(web3_abi, "validate_abi", validate_once)
