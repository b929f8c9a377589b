"""What a factory commons was launched with, read back from the chain and compared with the
configuration it should have: used to adopt only one's own launch (`factory.adoptable`) and by
`commons deploy verify`."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from .deploy import contract

ROLES = (("DatasetNFT", "CURATOR_ROLE", "curators"), ("ContributorRegistry", "VERIFIER_ROLE", "verifiers"),
         ("DatasetAttestations", "VALIDATOR_ROLE", "validators"), ("DatasetRights", "ARBITER_ROLE", "arbiters"))


def role_holders(w3: Web3, c: Any, role: bytes, since: int) -> set[str]:
    """Who holds `role` on `c` now, from its RoleGranted and RoleRevoked events since `since`."""
    held: dict[str, bool] = {}
    logs = [(e, True) for e in c.events.RoleGranted().get_logs(from_block=since, argument_filters={"role": role})]
    logs += [(e, False) for e in c.events.RoleRevoked().get_logs(from_block=since, argument_filters={"role": role})]
    for event, granted in sorted(logs, key=lambda x: (x[0]["blockNumber"], x[0]["logIndex"])):
        held[Web3.to_checksum_address(event["args"]["account"])] = granted
    return {who for who, on in held.items() if on}


def launch_checks(w3: Web3, label: str, a: dict[str, str], settings: dict[str, Any],
                  block: int) -> list[tuple[str, bool, str]]:
    """What a factory commons was launched with, against `settings` (a CommonsSpec as JSON): the
    token (name, symbol, every genesis allocation and the treasury at the launch block), the role
    holders, the vault's fee and treasury. A commons someone else launched under the same code
    with their own allocation or roles fails here."""
    checks: list[tuple[str, bool, str]] = []
    timelock = Web3.to_checksum_address(a["CommonsTimelock"])
    token = contract(w3, "CommonsToken", a["CommonsToken"])
    wanted = {Web3.to_checksum_address(k): int(v) for k, v in settings.get("allocations", {}).items()}
    wanted[timelock] = wanted.get(timelock, 0) + int(settings.get("treasury_amount", 0))
    balances = {who: token.functions.balanceOf(who).call(block_identifier=block) for who in wanted}
    diff = [f"{who} holds {balances[who]} (expected {amount})" for who, amount in wanted.items()
            if balances[who] != amount]
    supply = token.functions.totalSupply().call(block_identifier=block)
    if supply != sum(wanted.values()):
        diff.append(f"supply {supply} (expected {sum(wanted.values())})")
    for key, fn in (("token_name", token.functions.name()), ("token_symbol", token.functions.symbol())):
        if key in settings and fn.call() != settings[key]:
            diff.append(f"{key} {fn.call()!r} (expected {settings[key]!r})")
    checks.append((f"{label}: token and genesis allocations as configured", not diff, "; ".join(diff) or "yes"))
    wrong = []
    for name, role_name, key in ROLES:
        c = contract(w3, name, a[name])
        holders = role_holders(w3, c, getattr(c.functions, role_name)().call(), block) - {timelock}
        expected = {Web3.to_checksum_address(x) for x in settings.get(key, [])}
        if holders != expected:
            wrong.append(f"{role_name} held by {sorted(holders) or 'nobody'} (expected {sorted(expected) or 'nobody'})")
    checks.append((f"{label}: role holders as configured", not wrong, "; ".join(wrong) or "yes"))
    fee, treasury = contract(w3, "RoyaltyVault", a["RoyaltyVault"]).functions.protocolFee().call()
    want_treasury = settings.get("fee_treasury") or "0x" + "00" * 20
    want_treasury = timelock if int(want_treasury, 16) == 0 else Web3.to_checksum_address(want_treasury)
    same = fee == int(settings.get("fee_bps", 0)) and Web3.to_checksum_address(treasury) == want_treasury
    checks.append((f"{label}: vault fee and treasury as configured", same,
                   "yes" if same else f"fee {fee} bps to {treasury} (expected {settings.get('fee_bps', 0)} bps to "
                                      f"{want_treasury})"))
    return checks
