"""How OpenCommons names things to people: one place for what the command line, the dApp server
and the SDK show (the rest of issue 31's presentation layer grows here). Pure formatting: it reads
nothing (`queries.format_amount` reads a token's decimals and symbol, then formats here)."""

from __future__ import annotations

from typing import Any

#: chains people know by name (anything else is "chain N")
CHAIN_NAMES = {
    1: "Ethereum", 10: "OP Mainnet", 137: "Polygon", 8453: "Base", 42161: "Arbitrum One",
    11155111: "Sepolia", 17000: "Holesky", 1337: "Ganache (local)", 31337: "Anvil (local)",
}


def chain_name(chain_id: int) -> str:
    """`Sepolia (chain 11155111)`, or `chain N` for a chain without a known name."""
    name = CHAIN_NAMES.get(int(chain_id))
    return f"{name} (chain {chain_id})" if name else f"chain {chain_id}"


#: LicenseManager's expiry of a perpetual licence
PERPETUAL = (1 << 64) - 1


def amount_text(value: int, decimals: int, unit: str) -> str:
    """An amount of smallest units in whole units with its symbol: `0.5 ETH`, `12.5 USDC`."""
    from decimal import Decimal

    text = format(Decimal(int(value)) / (Decimal(10) ** decimals), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}"


def duration(seconds: int) -> str:
    """A licence's length in words: `perpetual`, `30 days`, `1 day`, `6 hours`."""
    seconds = int(seconds)
    if seconds == 0:
        return "perpetual"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds / size
            shown = f"{count:g}" if count == int(count) else f"{count:.1f}"
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def when(timestamp: int) -> str:
    """A moment as `2026-12-06 10:02 UTC`."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def expiry(expires_at: int, valid: bool = True) -> str:
    """A licence's end: `never expires (perpetual)`, `valid until ...`, `expired ...`, `no licence held`."""
    if int(expires_at) == PERPETUAL:
        return "never expires (perpetual)"
    if int(expires_at) == 0:
        return "no licence held"
    return f"{'valid until' if valid else 'expired'} {when(expires_at)}"


def proposal_lines(view: dict[str, Any]) -> list[str]:
    """A proposal as `commons gov status` prints it: tallies in the commons' token, blocks, what next
    (the raw figures are in --json)."""
    quorum = view.get("quorumTokens")
    lines = [f"proposal   {view['id']}", f"state      {view['state']}",
             f"for        {view['forTokens']}", f"against    {view['againstTokens']}",
             f"abstain    {view['abstainTokens']}",
             f"quorum     {quorum if quorum is not None else 'known once voting opens (at its snapshot)'}",
             f"voting     blocks {view['snapshot'] + 1} to {view['deadline']} (now {view['block']})"]
    if view.get("eta"):
        lines.append(f"timelock   until {when(view['eta'])}")
    if view.get("next"):
        lines.append(f"next       {view['next']}")
    return lines
