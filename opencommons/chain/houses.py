"""Two houses and a charter (issue 37): which house decides what, in words a commons' TOML uses.

A commons governed as a data trust has a token house (the token's governor) and a contributors'
house (one vote per verified contributor, ContributorVotes and its ContributorsGovernor); its
CommonsCharter says which house must pass each call, by function selector, and queues every
passed proposal. Here the selectors are grouped into the categories a community decides about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from ..errors import DeploymentError

#: the charter's House enum, in order
HOUSES = ("default", "either", "token", "contributors", "both", "super")
#: what each house level asks, in words
HOUSE_WORDS = {"either": "either house", "token": "the token house", "contributors": "the contributors' house",
               "both": "both houses", "super": "a super-quorum of both houses"}

#: the calls each category holds (a selector belongs to one category)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "curation": ("curate(uint256,uint8)", "reinstate(uint256)", "setSuspended(uint256,uint8)",
                 "reward(uint256,uint256)", "setQualityPolicy(uint256,uint16)", "setScoreWeights(uint16[4])",
                 "decide(uint256,bool)", "recordErasure(uint256,bytes32,uint32)"),
    "fees": ("setProtocolFee(uint16,address)", "setDefaultRoyalty(uint96)", "setTokenAllowed(address,bool)"),
    "treasury": ("transfer(address,uint256)", "approve(address,uint256)", "transferFrom(address,address,uint256)",
                 "mint(address,uint256)", "claimTreasury(address)"),
    "roles": ("grantRole(bytes32,address)", "revokeRole(bytes32,address)", "setProposalGuardian(address)"),
    "burns": ("burn(uint256)", "forfeitRoyalties(uint256,address[])", "forfeit(uint256,uint16,address[])",
              "forfeitTakenDown(uint256,address[])"),
    "rules": ("updateDelay(uint256)", "setVotingDelay(uint48)", "setVotingPeriod(uint32)",
              "setProposalThreshold(uint256)", "updateQuorumNumerator(uint256)", "updateTimelock(address)",
              "setHouse(address)", "relay(address,uint256,bytes)", "setConsentGate(address)",
              "setReissueWindow(uint64)", "setSettings(uint128,uint64,uint64)", "setRoyaltyVault(address)"),
}
#: the categories of a data trust (the network profile): routine curation by either house, money,
#: roles and burns by both, the rules by a super-quorum of both; any other call by both
TRUST_RULES = {"curation": "either", "fees": "both", "treasury": "both", "roles": "both", "burns": "both",
               "rules": "super", "default": "both"}
#: the dev profile: either house passes anything but an amendment of the charter (a fast local chain)
DEV_RULES = {**{k: "either" for k in CATEGORIES}, "default": "either"}


def selector(signature: str) -> bytes:
    return bytes(Web3.keccak(text=signature)[:4])


def category_of(sel: bytes) -> str | None:
    """The category holding the call `sel`, or None."""
    for name, signatures in CATEGORIES.items():
        if any(selector(s) == sel for s in signatures):
            return name
    return None


def house_index(name: str, where: str) -> int:
    if name not in HOUSES[1:]:
        raise DeploymentError(f"{where}: house {name!r} is not one of {', '.join(HOUSES[1:])}")
    return HOUSES.index(name)


@dataclass(frozen=True)
class Charter:
    """A commons' charter at launch: the document, the houses' rules, the caps."""

    #: the document's CID (pinned at launch)
    cid: str = ""
    #: category (and "default") -> house
    rules: dict[str, str] = field(default_factory=lambda: dict(TRUST_RULES))

    def rule_tuples(self, where: str = "charter") -> tuple[list[bytes], list[int], int]:
        """(selectors, houses, default house) for CommonsCharter.initialize."""
        unknown = set(self.rules) - set(CATEGORIES) - {"default"}
        if unknown:
            raise DeploymentError(f"{where}: unknown house rule(s) {', '.join(sorted(unknown))} (known: "
                                  f"{', '.join(CATEGORIES)}, default)")
        selectors: list[bytes] = []
        houses: list[int] = []
        for name, signatures in CATEGORIES.items():
            house = house_index(self.rules.get(name, self.rules.get("default", "both")), f"{where}: {name}")
            for s in signatures:
                selectors.append(selector(s))
                houses.append(house)
        return selectors, houses, house_index(self.rules.get("default", "both"), f"{where}: default")


def caps_tuple(s: Any) -> tuple[int, int, int, int, int]:
    """CommonsCharter.Caps from GovernanceSettings `s`."""
    return (s.max_fee_bps, s.spend_period_s, s.wait_blocks, s.spend_eth_wei, s.spend_tokens)


def charter_config(s: Any, timelock: str, token_governor: str, contributors_governor: str, token: str,
                   cid: str, rules: dict[str, str]) -> tuple[Any, ...]:
    """The CommonsCharter.Config tuple."""
    selectors, houses, default = Charter(cid, rules).rule_tuples()
    return (timelock, token_governor, contributors_governor, token, cid, s.super_quorum_bps, default, selectors,
            houses, caps_tuple(s))


def claim_type(name: str) -> bytes:
    """The registry's claim type for a claim's name (as `contributor verify --claim` hashes it)."""
    return bytes(Web3.keccak(text=name))


def house_rules(s: Any, rules: dict[str, str] | None) -> dict[str, str]:
    """The house each category needs: `rules` over the profile's (dev: either house; network: a trust)."""
    base = DEV_RULES if getattr(s, "profile", "dev") == "dev" else TRUST_RULES
    return {**base, **(rules or {})}
