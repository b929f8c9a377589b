"""Governance profiles: the parameters a deployment starts its governance with.

``dev`` keeps a local chain fast (a 1-block voting delay, a 20-block vote, a 60 s timelock, the
deployer holding the whole supply): anyone testing can pass a proposal in seconds, which is why a
deployment refuses it on a chain that is not a local one unless asked for it by name. ``network``
is what a real commons launches with: days-long delays, a proposal threshold, the genesis supply
in the timelock's treasury except for named allocations read from a TOML file, so that no
deployer holds control.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from web3 import Web3

from ..errors import DeploymentError

#: chain ids of local development chains (Ganache, Anvil/Hardhat, brownie's Ganache)
LOCAL_CHAIN_IDS = frozenset({1337, 31337})
TOKEN = 10**18


@dataclass(frozen=True)
class GovernanceSettings:
    """What a deployment sets up; :data:`PROFILES` holds the two starting points."""

    profile: str = "dev"
    voting_delay_blocks: int = 1
    voting_period_blocks: int = 20
    proposal_threshold: int = 0
    quorum_percent: int = 4
    timelock_delay_s: int = 60
    initial_supply: int = 1_000_000 * TOKEN
    default_royalty_bps: int = 500
    min_commit_age_blocks: int = 1
    commit_ttl_blocks: int = 256
    #: a dispute's bond (wei), the arbiter's window to decide and the losing side's to appeal (seconds)
    dispute_bond_wei: int = 10**16
    dispute_decision_window_s: int = 7 * 86_400
    dispute_appeal_window_s: int = 7 * 86_400
    #: after a contributor withdraws, how long the owner has to reissue the dataset without it
    #: (then governance may), and licensees to move to that reissue (seconds)
    reissue_window_s: int = 30 * 86_400
    #: 1: a contributor claims its royalties and rewards only once it consented to the dataset (issue 36)
    require_consent: int = 0
    #: 1: a contributors' house and a charter beside the token house (issue 37); 0: the token alone
    houses: int = 1
    #: of the contributors' house: the quorum (% of the members) and the votes a proposer needs
    house_quorum_percent: int = 10
    house_proposal_threshold: int = 1
    #: each house's votes in favour (bps of its supply) a change to the rules needs
    super_quorum_bps: int = 2_000
    #: caps only a charter amendment changes: the highest protocol fee, the treasury's spending per
    #: period (wei of ETH, token units), and the blocks a burn or forfeit waits after its vote
    max_fee_bps: int = 1_000
    spend_period_s: int = 30 * 86_400
    spend_eth_wei: int = 100 * 10**18
    spend_tokens: int = 100_000 * TOKEN
    wait_blocks: int = 5
    #: the genesis supply goes to the timelock (the treasury) except for `allocations`
    genesis_to_treasury: bool = False
    #: address -> amount (token units, 18 decimals) handed out at genesis
    allocations: dict[str, int] = field(default_factory=dict)

    def describe(self) -> list[tuple[str, str]]:
        """The parameters as (label, value) lines for a deploy to print."""
        held_by = "the timelock (treasury)" if self.genesis_to_treasury else "the deployer"
        lines = [
            ("profile", self.profile),
            ("voting delay", f"{self.voting_delay_blocks} blocks"),
            ("voting period", f"{self.voting_period_blocks} blocks"),
            ("proposal threshold", f"{self.proposal_threshold / TOKEN:,.0f} OCT"),
            ("quorum", f"{self.quorum_percent}% of the supply"),
            ("timelock delay", f"{self.timelock_delay_s} s"),
            ("genesis supply", f"{self.initial_supply / TOKEN:,.0f} OCT, rest held by {held_by}"),
            ("publish commit", f"reveal after {self.min_commit_age_blocks} to {self.commit_ttl_blocks} blocks"),
            ("consent", "required before a share is claimed" if self.require_consent else "recorded, not required "
                        "before a claim"),
            ("disputes", f"bond {self.dispute_bond_wei / 10**18:g} ETH, {self.dispute_decision_window_s // 3600} h to "
                         f"decide, {self.dispute_appeal_window_s // 3600} h to appeal"),
            ("withdrawals", f"{self.reissue_window_s // 86_400:g} days to reissue without them, then as long for "
                            "licensees to move"),
        ]
        if self.houses:
            allocated = sum(self.allocations.values())
            unreachable = self.genesis_to_treasury and allocated * 10_000 < self.initial_supply * self.super_quorum_bps
            lines += [
                ("contributors' house", f"one vote per verified contributor, quorum {self.house_quorum_percent}% of "
                                        f"the members"),
                ("super-quorum", f"{self.super_quorum_bps / 100:g}% of each house in favour, for the rules" + (
                    f" (the allocations, {allocated * 100 / self.initial_supply:g}% of the supply, cannot reach it "
                    "while the treasury's tokens never vote: the rules could not change)" if unreachable else "")),
                ("caps", f"fee at most {self.max_fee_bps} bps; the treasury spends at most "
                         f"{self.spend_eth_wei / 10**18:g} ETH and {self.spend_tokens / TOKEN:,.0f} tokens per "
                         f"{self.spend_period_s // 86_400:g} days; a burn or forfeit waits {self.wait_blocks} blocks"),
            ]
        lines += [("allocation", f"{amount / TOKEN:,.0f} OCT to {who}") for who, amount in self.allocations.items()]
        return lines


PROFILES: dict[str, GovernanceSettings] = {
    "dev": GovernanceSettings(),
    "network": GovernanceSettings(
        profile="network",
        voting_delay_blocks=7_200,  # about a day of 12 s blocks
        voting_period_blocks=50_400,  # about a week
        proposal_threshold=1_000 * TOKEN,  # 0.1% of the genesis supply
        quorum_percent=4,
        timelock_delay_s=2 * 86_400,
        min_commit_age_blocks=2,
        commit_ttl_blocks=7_200,
        wait_blocks=50_400,  # a week to raise a dispute or an appeal before a burn or forfeit
        genesis_to_treasury=True,
    ),
}

_TUNABLE = {f.name for f in fields(GovernanceSettings)} - {"profile", "allocations", "genesis_to_treasury"}


def choose_profile(chain_id: int, requested: str | None) -> GovernanceSettings:
    """The profile to deploy on `chain_id`: `requested`, or ``dev`` on a local chain. A chain that
    is not local gets no default, so the dev parameters never reach one by accident."""
    if requested is None:
        if chain_id not in LOCAL_CHAIN_IDS:
            raise DeploymentError(
                f"chain id {chain_id} is not a local chain: pass --profile network --config FILE "
                f"(or --profile dev to deploy the fast local-chain governance anyway)")
        requested = "dev"
    try:
        return PROFILES[requested]
    except KeyError:
        raise DeploymentError(f"unknown profile {requested!r} (known: {', '.join(PROFILES)})") from None


def load_config(path: Path, base: GovernanceSettings) -> GovernanceSettings:
    """`base` with the overrides of a TOML file::

        [governance]          # any of the GovernanceSettings numbers, token amounts in whole OCT
        voting_delay_blocks = 7200
        proposal_threshold = 1000
        [allocations]         # address = whole OCT, handed out at genesis
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" = 50000
    """
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeploymentError(f"cannot read governance config {path}: {exc}") from exc
    unknown = set(data) - {"governance", "allocations"}
    if unknown:
        raise DeploymentError(f"{path}: unknown section(s) {', '.join(sorted(unknown))} "
                              f"(known: governance, allocations)")
    changes: dict[str, Any] = {}
    for key, value in data.get("governance", {}).items():
        if key not in _TUNABLE:
            raise DeploymentError(f"{path}: unknown governance key {key!r} (known: {', '.join(sorted(_TUNABLE))})")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DeploymentError(f"{path}: governance.{key} must be a whole number >= 0, not {value!r}")
        changes[key] = value * TOKEN if key in ("proposal_threshold", "initial_supply") else value
    allocations: dict[str, int] = {}
    for who, amount in data.get("allocations", {}).items():
        if not Web3.is_address(who):
            raise DeploymentError(f"{path}: allocation to malformed address {who!r}")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise DeploymentError(f"{path}: allocation to {who} must be a whole number of OCT > 0, not {amount!r}")
        allocations[Web3.to_checksum_address(who)] = allocations.get(Web3.to_checksum_address(who), 0) + amount * TOKEN
    settings = replace(base, **changes, allocations=allocations or dict(base.allocations))
    return validate(settings, str(path))


def validate(s: GovernanceSettings, where: str = "governance settings") -> GovernanceSettings:
    """Refuses settings no commons could live with, in one line each."""
    if not 1 <= s.quorum_percent <= 100:
        raise DeploymentError(f"{where}: quorum_percent {s.quorum_percent} is out of range 1..100")
    if s.voting_period_blocks == 0:
        raise DeploymentError(f"{where}: voting_period_blocks must be at least 1")
    if s.min_commit_age_blocks == 0 or s.commit_ttl_blocks <= s.min_commit_age_blocks:
        raise DeploymentError(f"{where}: the publish commit window is empty (min_commit_age_blocks "
                              f"{s.min_commit_age_blocks}, commit_ttl_blocks {s.commit_ttl_blocks})")
    for key in ("dispute_decision_window_s", "dispute_appeal_window_s", "reissue_window_s"):
        if not 3_600 <= getattr(s, key) <= 365 * 86_400:
            raise DeploymentError(f"{where}: {key} {getattr(s, key)} is out of range 3600..31536000 (1 hour to 365 days)")
    if s.houses not in (0, 1):
        raise DeploymentError(f"{where}: houses is 0 or 1, not {s.houses}")
    if not 1 <= s.house_quorum_percent <= 100:
        raise DeploymentError(f"{where}: house_quorum_percent {s.house_quorum_percent} is out of range 1..100")
    if not 1 <= s.super_quorum_bps <= 10_000:
        raise DeploymentError(f"{where}: super_quorum_bps {s.super_quorum_bps} is out of range 1..10000")
    if s.max_fee_bps > 1_000:
        raise DeploymentError(f"{where}: max_fee_bps {s.max_fee_bps} is above the vault's maximum of 1000")
    if s.spend_period_s == 0 or s.spend_period_s >= 2**32:
        raise DeploymentError(f"{where}: spend_period_s must be 1..4294967295 seconds, not {s.spend_period_s}")
    if s.wait_blocks >= 2**32 or s.spend_eth_wei >= 2**128 or s.spend_tokens >= 2**128:
        raise DeploymentError(f"{where}: wait_blocks, spend_eth_wei or spend_tokens is too large")
    if s.require_consent not in (0, 1):
        raise DeploymentError(f"{where}: require_consent is 0 or 1, not {s.require_consent}")
    if s.dispute_bond_wei >= 2**128:
        raise DeploymentError(f"{where}: dispute_bond_wei {s.dispute_bond_wei} does not fit 128 bits")
    if s.default_royalty_bps > 10_000:
        raise DeploymentError(f"{where}: default_royalty_bps {s.default_royalty_bps} is above 10,000")
    allocated = sum(s.allocations.values())
    if allocated > s.initial_supply:
        raise DeploymentError(f"{where}: allocations sum to {allocated / TOKEN:,.0f} OCT, more than the "
                              f"genesis supply of {s.initial_supply / TOKEN:,.0f}")
    if s.genesis_to_treasury:
        # the treasury's tokens never vote: the allocations alone must be able to propose and
        # reach quorum, or the commons could never decide anything
        if allocated < s.proposal_threshold:
            raise DeploymentError(f"{where}: with the supply in the treasury the allocations ({allocated / TOKEN:,.0f} "
                                  f"OCT) do not reach the proposal threshold of "
                                  f"{s.proposal_threshold / TOKEN:,.0f} OCT: nobody could ever propose; allocate at "
                                  f"least {s.proposal_threshold / TOKEN:,.0f} OCT in [allocations] (\"0xADDRESS\" = "
                                  f"{s.proposal_threshold // TOKEN}) or lower governance.proposal_threshold")
        if allocated * 100 < s.initial_supply * s.quorum_percent:
            needed = -(-s.initial_supply * s.quorum_percent // 100)
            raise DeploymentError(f"{where}: with the supply in the treasury the allocations ({allocated / TOKEN:,.0f} "
                                  f"OCT) are below the {s.quorum_percent}% quorum: no proposal could ever pass; "
                                  f"allocate at least {needed / TOKEN:,.0f} OCT in [allocations] or lower "
                                  "governance.quorum_percent")
    return s
