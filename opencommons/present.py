"""How OpenCommons names things to people: one place for what the command line, the dApp server
and the SDK show (the rest of issue 31's presentation layer grows here)."""

from __future__ import annotations

#: chains people know by name (anything else is "chain N")
CHAIN_NAMES = {
    1: "Ethereum", 10: "OP Mainnet", 137: "Polygon", 8453: "Base", 42161: "Arbitrum One",
    11155111: "Sepolia", 17000: "Holesky", 1337: "Ganache (local)", 31337: "Anvil (local)",
}


def chain_name(chain_id: int) -> str:
    """`Sepolia (chain 11155111)`, or `chain N` for a chain without a known name."""
    name = CHAIN_NAMES.get(int(chain_id))
    return f"{name} (chain {chain_id})" if name else f"chain {chain_id}"
