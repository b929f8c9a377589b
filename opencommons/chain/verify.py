"""`commons deploy verify`: the code at every recorded address against the build artifacts, and
every commons' role wiring and governance parameters against what was recorded at launch."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from .deploy import Deployment, clone_target, contract, stale_reason
from .factory import CONTRACT_OF

ADMIN = b"\x00" * 32
ACCESS_CONTROLLED = ("ContributorRegistry", "DatasetNFT", "RoyaltyVault", "DatasetAttestations", "CommonsToken")


def verify(w3: Web3, deployment: Deployment) -> list[tuple[str, bool, str]]:
    """(what, passed, detail) for every check; nothing is sent."""
    checks: list[tuple[str, bool, str]] = []
    if deployment.factory:
        checks += _factory_checks(w3, deployment.factory)
    if deployment.addresses:
        checks += _commons_checks(w3, "direct suite", deployment, deployment.deployer, None)
    for code in deployment.commons:
        narrowed = deployment.for_commons(code)
        checks += _commons_checks(w3, code, narrowed, narrowed.deployer, deployment.factory)
    return checks


def _factory_checks(w3: Web3, factory: dict[str, Any]) -> list[tuple[str, bool, str]]:
    templates = {CONTRACT_OF[f] if f != "datasets" else "DatasetNFTDeployer": a
                 for f, a in factory["templates"].items()}
    reason = stale_reason(w3, _as_deployment({**templates, "CommonsFactory": factory["address"]}))
    checks = [("factory: code of the factory, the templates and the NFT deployer", reason is None,
               reason or "all match the build artifacts")]
    on_chain = contract(w3, "CommonsFactory", factory["address"]).functions.templates().call()
    recorded = [Web3.to_checksum_address(factory["templates"][f]) for f in
                ("registry", "datasets", "attestations", "vault", "licenses", "token", "governor", "timelock",
                 "rewards")]
    same = [Web3.to_checksum_address(a) for a in on_chain] == recorded
    checks.append(("factory: templates it clones are the recorded ones", same,
                   "as recorded" if same else f"the factory clones {list(on_chain)}"))
    return checks


def _commons_checks(w3: Web3, label: str, deployment: Deployment, deployer: str,
                    factory: dict[str, Any] | None) -> list[tuple[str, bool, str]]:
    a = deployment.addresses
    checks: list[tuple[str, bool, str]] = []
    reason = stale_reason(w3, deployment)
    checks.append((f"{label}: code at every address", reason is None, reason or "matches the build artifacts"))
    if reason:
        return checks
    if factory:
        checks += _clone_checks(w3, label, a, factory)
    timelock = a["CommonsTimelock"]
    outsiders = {Web3.to_checksum_address(deployer)} | ({Web3.to_checksum_address(factory["address"])}
                                                      if factory else set())
    for name in ACCESS_CONTROLLED:
        c = contract(w3, name, a[name])
        held = c.functions.hasRole(ADMIN, timelock).call()
        leaked = [who for who in outsiders if c.functions.hasRole(ADMIN, who).call()]
        checks.append((f"{label}: {name} admin is the timelock only", held and not leaked,
                       "yes" if held and not leaked else f"timelock admin {held}, also held by {leaked}"))
    owner = contract(w3, "ContributionRewards", a["ContributionRewards"]).functions.owner().call()
    checks.append((f"{label}: rewards owned by the timelock", owner == timelock, owner))
    governor = contract(w3, "CommonsGovernor", a["CommonsGovernor"])
    wired = (governor.functions.timelock().call() == timelock and governor.functions.token().call()
             == a["CommonsToken"])
    checks.append((f"{label}: governor uses this token and timelock", wired, "yes" if wired else "no"))
    tl = contract(w3, "CommonsTimelock", timelock)
    proposer = tl.functions.hasRole(tl.functions.PROPOSER_ROLE().call(), a["CommonsGovernor"]).call()
    tl_admins = [who for who in outsiders if tl.functions.hasRole(ADMIN, who).call()]
    checks.append((f"{label}: the governor proposes, nobody else administers the timelock",
                   proposer and not tl_admins, "yes" if proposer and not tl_admins else f"admins {tl_admins}"))
    checks += _settings_checks(label, governor, tl, deployment.settings)
    if "allocations" in deployment.settings:  # launched through the factory from a CommonsSpec
        checks += launch_checks(w3, label, a, deployment.settings, deployment.block)
    return checks


ROLES = (("DatasetNFT", "CURATOR_ROLE", "curators"), ("ContributorRegistry", "VERIFIER_ROLE", "verifiers"),
         ("DatasetAttestations", "VALIDATOR_ROLE", "validators"))


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


def _clone_checks(w3: Web3, label: str, a: dict[str, str], factory: dict[str, Any]) -> list[tuple[str, bool, str]]:
    by_name = {CONTRACT_OF[f]: t for f, t in factory["templates"].items() if f != "datasets"}
    wrong = []
    for name, template in by_name.items():
        code = bytes(w3.eth.get_code(Web3.to_checksum_address(a[name])))
        if clone_target(code) != Web3.to_checksum_address(template):
            wrong.append(name)
    vault_code = bytes(w3.eth.get_code(Web3.to_checksum_address(a["RoyaltyVault"])))
    vault_nft = Web3.to_checksum_address(vault_code[45 + 12:45 + 32]) if len(vault_code) >= 77 else None
    if vault_nft != a["DatasetNFT"]:
        wrong.append("RoyaltyVault's NFT argument")
    return [(f"{label}: clones of the factory's templates", not wrong, "yes" if not wrong else f"not: {wrong}")]


def _settings_checks(label: str, governor: Any, timelock: Any, settings: dict[str, Any]) -> list[tuple[str, bool, str]]:
    g = settings.get("governance", settings)
    expected = {"voting delay": g.get("voting_delay_blocks"), "voting period": g.get("voting_period_blocks"),
                "proposal threshold": g.get("proposal_threshold"), "quorum %": g.get("quorum_percent"),
                "timelock delay": g.get("timelock_delay_s")}
    actual = {"voting delay": governor.functions.votingDelay().call(),
              "voting period": governor.functions.votingPeriod().call(),
              "proposal threshold": governor.functions.proposalThreshold().call(),
              "quorum %": governor.functions.quorumNumerator().call(),
              "timelock delay": timelock.functions.getMinDelay().call()}
    diff = [f"{k} {actual[k]} (recorded {v})" for k, v in expected.items() if v is not None and actual[k] != v]
    return [(f"{label}: governance parameters as recorded", not diff, "; ".join(diff) or "yes")]


def _as_deployment(addresses: dict[str, str]) -> Deployment:
    return Deployment(chain_id=0, block=0, deployer="", addresses=addresses, compiler={}, settings={})
