"""`commons deploy verify`: the code at every recorded address against the build artifacts, and
every commons' role wiring and governance parameters against what was recorded at launch."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from web3 import Web3

from .deploy import Deployment, clone_target, contract, stale_reason
from .factory import CONTRACT_OF, FIELDS
from .launch import launch_checks

ADMIN = b"\x00" * 32
ACCESS_CONTROLLED = ("ContributorRegistry", "DatasetNFT", "RoyaltyVault", "DatasetAttestations", "CommonsToken",
                     "DatasetRights")


def verify(w3: Web3, deployment: Deployment) -> list[tuple[str, bool, str]]:
    """(what, passed, detail) for every check; nothing is sent."""
    checks: list[tuple[str, bool, str]] = []
    if deployment.factory:
        checks += factory_checks(w3, deployment.factory)
    if deployment.addresses:
        checks += commons_checks(w3, "direct suite", deployment, deployment.deployer, None)
    for code in deployment.commons:
        narrowed = deployment.for_commons(code)
        checks += commons_checks(w3, code, narrowed, narrowed.deployer, deployment.factory)
    return checks


def factory_checks(w3: Web3, factory: dict[str, Any]) -> list[tuple[str, bool, str]]:
    templates = {CONTRACT_OF[f] if f != "datasets" else "DatasetNFTDeployer": a
                 for f, a in factory["templates"].items()}
    reason = stale_reason(w3, _as_deployment({**templates, "CommonsFactory": factory["address"]}))
    checks = [("factory: code of the factory, the templates and the NFT deployer", reason is None,
               reason or "all match the build artifacts")]
    on_chain = contract(w3, "CommonsFactory", factory["address"]).functions.templates().call()
    recorded = [Web3.to_checksum_address(factory["templates"][f]) for f in FIELDS]
    same = [Web3.to_checksum_address(a) for a in on_chain] == recorded
    checks.append(("factory: templates it clones are the recorded ones", same,
                   "as recorded" if same else f"the factory clones {list(on_chain)}"))
    return checks


def commons_checks(w3: Web3, label: str, deployment: Deployment, deployer: str,
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
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"]).functions
    takedown = nft.hasRole(nft.TAKEDOWN_ROLE().call(), a["DatasetRights"]).call()
    checks.append((f"{label}: the DatasetRights contract suspends and restores datasets (takedown role)", takedown,
                   "yes" if takedown else "no: upheld disputes could not take a dataset down"))
    duty = contract(w3, "LicenseManager", a["LicenseManager"]).functions.rights().call()
    checks.append((f"{label}: licences answer to the DatasetRights (the duty to move to a reissue)",
                   duty == a["DatasetRights"], "yes" if duty == a["DatasetRights"] else f"no: {duty}"))
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
    bootstrap = deployment.settings.get("bootstrap") or {}
    if "guardian" in bootstrap:
        expected_guardian = Web3.to_checksum_address(bootstrap["guardian"] or "0x" + "0" * 40)
        found_guardian = governor.functions.proposalGuardian().call()
        checks.append((f"{label}: the guardian (cancels proposals with a reason) as recorded",
                       found_guardian == expected_guardian,
                       "yes" if found_guardian == expected_guardian else f"{found_guardian}, recorded {expected_guardian}"))
    required = deployment.settings.get("governance", deployment.settings).get("require_consent")
    if required is not None:
        expected = a["DatasetRights"] if required else "0x0000000000000000000000000000000000000000"
        gates = {name: contract(w3, name, a[name]).functions.consentGate().call()
                 for name in ("RoyaltyVault", "ContributionRewards")}
        wrong = [f"{name} {gate}" for name, gate in gates.items() if gate != expected]
        checks.append((f"{label}: consent {'required' if required else 'not required'} before a claim, as recorded",
                       not wrong, "; ".join(wrong) or "yes"))
    if "CommonsCharter" in a:
        checks += houses_checks(w3, label, a, deployment.settings)
    if factory is not None and "allocations" in deployment.settings:  # launched through the factory (a CommonsSpec)
        checks += launch_checks(w3, label, a, deployment.settings, deployment.block)
    return checks


def houses_checks(w3: Web3, label: str, a: dict[str, str], settings: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """The contributors' house and the charter: wired to this commons, with the recorded document,
    rules, super-quorum and caps."""
    from .houses import Charter, caps_tuple, house_rules

    checks: list[tuple[str, bool, str]] = []
    charter = contract(w3, "CommonsCharter", a["CommonsCharter"]).functions
    house = contract(w3, "ContributorVotes", a["ContributorVotes"]).functions
    second = contract(w3, "ContributorsGovernor", a["ContributorsGovernor"]).functions
    first = contract(w3, "CommonsGovernor", a["CommonsGovernor"]).functions
    tl = contract(w3, "CommonsTimelock", a["CommonsTimelock"]).functions
    registry = contract(w3, "ContributorRegistry", a["ContributorRegistry"]).functions
    wrong = []
    if tuple(charter.governors().call()) != (a["CommonsGovernor"], a["ContributorsGovernor"], a["CommonsTimelock"],
                                             a["CommonsToken"]):
        wrong.append(f"the charter names {charter.governors().call()}")
    for name, g in (("token", first), ("contributors'", second)):
        if g.charter().call() != a["CommonsCharter"]:
            wrong.append(f"the {name} governor queues through {g.charter().call()}")
        if g.timelock().call() != a["CommonsTimelock"]:
            wrong.append(f"the {name} governor's timelock is {g.timelock().call()}")
    if second.token().call() != a["ContributorVotes"]:
        wrong.append(f"the contributors' governor counts {second.token().call()}")
    if not tl.hasRole(tl.PROPOSER_ROLE().call(), a["ContributorsGovernor"]).call():
        wrong.append("the contributors' governor cannot propose to the timelock")
    if registry.house().call() != a["ContributorVotes"] or house.registry().call() != a["ContributorRegistry"]:
        wrong.append("the registry and the contributors' house are not each other's")
    checks.append((f"{label}: two houses, both queuing through the charter", not wrong, "; ".join(wrong) or "yes"))
    g = settings.get("governance", settings)
    cid = settings.get("charter_cid") or (settings.get("bootstrap") or {}).get("charter_cid")
    diff = []
    if cid and charter.cid().call() != cid:
        diff.append(f"document {charter.cid().call()} (recorded {cid})")
    if "max_fee_bps" in g:
        rec = SimpleNamespace(**g)  # the recorded settings, as caps_tuple reads them
        if tuple(charter.caps().call()) != caps_tuple(rec):
            diff.append(f"caps {tuple(charter.caps().call())} (recorded {caps_tuple(rec)})")
        if charter.superQuorumBps().call() != g["super_quorum_bps"]:
            diff.append(f"super-quorum {charter.superQuorumBps().call()} bps (recorded {g['super_quorum_bps']})")
        rules = settings.get("house_rules") or (settings.get("bootstrap") or {}).get("house_rules")
        selectors, houses, default = Charter("", house_rules(rec, rules)).rule_tuples()
        moved = [sel.hex() for sel, h in zip(selectors, houses) if charter.rule(sel).call() != h]
        if moved or charter.defaultHouse().call() != default:
            diff.append(f"house rules differ for {len(moved)} call(s)" + (" and the default" if
                                                                         charter.defaultHouse().call() != default else ""))
    checks.append((f"{label}: the charter's document, rules, super-quorum and caps as recorded", not diff,
                   "; ".join(diff) or "yes"))
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
