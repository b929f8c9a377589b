"""What a community launches its commons with: the `commons.toml` file, checked line by line.

::

    name = "Kenya Education Commons"     # the governor's name (what `name()` answers)
    profile = "network"                  # starting parameters: dev (fast, local) or network

    [token]
    name = "Kenya Education"
    symbol = "KEDU"
    supply = 1000000                     # whole tokens (18 decimals)

    [governance]                         # any GovernanceSettings number (see profiles.py)
    voting_period_blocks = 50400
    proposal_threshold = 1000            # whole tokens
    require_consent = 1                  # royalties and rewards wait for each contributor's consent

    [allocations]                        # address = whole tokens; must sum to the supply
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" = 100000
    treasury = 900000                    # the timelock's treasury

    [roles]                              # bootstrap roles, governance can revoke them
    curators = ["0x..."]
    verifiers = []
    validators = []
    arbiters = []                        # decide disputes beside governance (a council)
    guardian = "0x..."                   # may cancel a proposal, with a reason (a Safe); optional

    [houses]                             # who must pass what: either, token, contributors, both, super
    claim = "identity"                   # the attested claim that gives a contributor a vote
    curation = "either"                  # and fees, treasury, roles, burns, rules, default
    fees = "both"

    [charter]
    document = "charter.md"              # pinned at launch; its CID is stored in the CommonsCharter

    [vault]
    default_royalty_bps = 500            # ERC-2981 royalty asked of marketplaces
    fee_bps = 0                          # protocol fee on royalties (at most 1000)
    treasury = "0x..."                   # where fees accrue (default: the timelock)
    allowed_tokens = ["0x..."]           # ERC-20s accepted from the start

Every refusal is one line naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from web3 import Web3

from ..errors import DeploymentError
from .deploy import charter_cid
from .houses import CATEGORIES, HOUSES, Charter, caps_tuple, claim_type, house_rules
from .profiles import PROFILES, TOKEN, GovernanceSettings, choose_profile, validate

ZERO = "0x0000000000000000000000000000000000000000"
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*", re.ASCII)
MAX_CODE_LENGTH = 64
MAX_FEE_BPS = 1_000
_SECTIONS = {"name": None, "profile": None, "token": {"name", "symbol", "supply"},
             "governance": None, "allocations": None, "roles": {"curators", "verifiers", "validators", "arbiters", "guardian"},
             "vault": {"default_royalty_bps", "fee_bps", "treasury", "allowed_tokens"},
             "houses": {"claim", *CATEGORIES, "default"}, "charter": {"document"}}
_TUNABLE = {f.name for f in fields(GovernanceSettings)} - {"profile", "allocations", "genesis_to_treasury",
                                                              "initial_supply", "default_royalty_bps",
                                                              "reissue_window_s"}


@dataclass
class CommonsSpec:
    """A launch, ready to become the factory's CommonsConfig."""

    code: str
    name: str
    token_name: str
    token_symbol: str
    governance: GovernanceSettings
    #: address -> token units; the timelock's part is `treasury_amount`
    allocations: dict[str, int] = field(default_factory=dict)
    treasury_amount: int = 0
    curators: list[str] = field(default_factory=list)
    verifiers: list[str] = field(default_factory=list)
    validators: list[str] = field(default_factory=list)
    arbiters: list[str] = field(default_factory=list)
    guardian: str = ZERO
    allowed_tokens: list[str] = field(default_factory=list)
    default_royalty_bps: int = 500
    fee_bps: int = 0
    fee_treasury: str = ZERO
    #: the contributors' house: the claim that gives a vote, and the house each category needs
    house_claim: str = "identity"
    house_rules: dict[str, str] = field(default_factory=dict)
    #: the charter document's CID (default: the bundled charter's), and its file (pinned at launch)
    charter_cid: str = ""
    charter_document: str = ""

    def as_struct(self) -> tuple[Any, ...]:
        """The ICommonsFactory.CommonsConfig tuple."""
        g = self.governance
        return (self.code, self.name, self.token_name, self.token_symbol,
                (g.voting_delay_blocks, g.voting_period_blocks, g.proposal_threshold, g.quorum_percent,
                 g.timelock_delay_s, g.min_commit_age_blocks, g.commit_ttl_blocks, g.dispute_bond_wei,
                 g.dispute_decision_window_s, g.dispute_appeal_window_s, bool(g.require_consent)),
                list(self.allocations), list(self.allocations.values()), self.treasury_amount,
                self.curators, self.verifiers, self.validators, self.arbiters, self.guardian, self.allowed_tokens,
                self.default_royalty_bps, self.fee_bps, self.fee_treasury, self.houses_struct())

    def houses_struct(self) -> tuple[Any, ...]:
        """The ICommonsFactory.Houses tuple."""
        g = self.governance
        selectors, houses, default = Charter(self.charter_cid, house_rules(g, self.house_rules)).rule_tuples()
        return (claim_type(self.house_claim), g.voting_delay_blocks, g.voting_period_blocks,
                g.house_proposal_threshold, g.house_quorum_percent, self.charter_cid or charter_cid(None),
                g.super_quorum_bps, default, selectors, houses, caps_tuple(g))

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "governance": asdict(self.governance)}

    def describe(self) -> list[tuple[str, str]]:
        supply = sum(self.allocations.values()) + self.treasury_amount
        lines = [("code", self.code), ("name", self.name), ("token", f"{self.token_name} ({self.token_symbol}), "
                                                                      f"{supply / TOKEN:,.0f} at genesis")]
        lines += [(label, value) for label, value in self.governance.describe()
                  if label not in ("genesis supply", "allocation")]
        lines += [("allocation", f"{amount / TOKEN:,.0f} to {who}") for who, amount in self.allocations.items()]
        lines.append(("treasury", f"{self.treasury_amount / TOKEN:,.0f} in the timelock"))
        return lines


def check_code(code: str) -> str:
    if not code or len(code.encode()) > MAX_CODE_LENGTH or not CODE_PATTERN.fullmatch(code):
        raise DeploymentError(f"invalid commons code {code!r}: letters, digits, '.', '_', '-' in parts "
                              f"separated by '/', at most {MAX_CODE_LENGTH} bytes (e.g. KE/education)")
    return code


def default_spec(code: str, name: str | None, chain_id: int, creator: str,
                 profile: str | None = None) -> CommonsSpec:
    """A commons with no config file: the chain's profile, the whole supply to the creator on a
    local chain (dev), or refused elsewhere (a network commons needs its allocations named)."""
    settings = choose_profile(chain_id, profile)
    if settings.genesis_to_treasury:
        raise DeploymentError("a commons with the network profile needs --config FILE naming its allocations "
                              "(nobody may hold the whole supply by default)")
    return CommonsSpec(code=check_code(code), name=name or f"{code} Governor", token_name=f"{code} Commons",
                       token_symbol="OCT", governance=settings,
                       allocations={Web3.to_checksum_address(creator): settings.initial_supply},
                       default_royalty_bps=settings.default_royalty_bps, charter_cid=charter_cid(None))


def load_spec(path: Path, code: str, name: str | None, chain_id: int) -> CommonsSpec:
    """The launch `path` describes, checked: unknown sections and keys, malformed addresses,
    allocations not summing to the supply, a quorum out of range, an empty commit window..."""
    check_code(code)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeploymentError(f"cannot read commons config {path}: {exc}") from exc
    for key, value in data.items():
        if key not in _SECTIONS:
            raise DeploymentError(f"{path}: unknown key {key!r} (known: {', '.join(_SECTIONS)})")
        known = _SECTIONS[key]
        if known is not None:
            if not isinstance(value, dict):
                raise DeploymentError(f"{path}: [{key}] must be a table")
            for sub in value:
                if sub not in known:
                    raise DeploymentError(f"{path}: unknown key {key}.{sub} (known: {', '.join(sorted(known))})")
    profile = data.get("profile")
    if profile is not None and profile not in PROFILES:
        raise DeploymentError(f"{path}: unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    base = choose_profile(chain_id, profile)
    token = data.get("token", {})
    supply_whole = token.get("supply", base.initial_supply // TOKEN)
    supply = _whole(path, "token.supply", supply_whole, positive=True) * TOKEN
    changes: dict[str, Any] = {}
    for key, value in _table(path, data, "governance").items():
        if key == "reissue_window_s":
            raise DeploymentError(f"{path}: governance.reissue_window_s is not set at a factory launch (30 days): "
                                  "governance changes it by proposal (the rights' setReissueWindow)")
        if key not in _TUNABLE:
            raise DeploymentError(f"{path}: unknown key governance.{key} (known: {', '.join(sorted(_TUNABLE))})")
        amount = _whole(path, f"governance.{key}", value)
        changes[key] = amount * TOKEN if key in ("proposal_threshold", "spend_tokens") else amount
    if changes.get("houses", 1) != 1:
        raise DeploymentError(f"{path}: governance.houses is 1 at a factory launch: every commons it launches has "
                              "both houses")
    house_table = _table(path, data, "houses")
    claim = house_table.get("claim", "identity")
    if not isinstance(claim, str) or not claim.strip():
        raise DeploymentError(f"{path}: houses.claim must be a non-empty string (a claim's name, e.g. identity)")
    rules = {k: v for k, v in house_table.items() if k != "claim"}
    for key, value in rules.items():
        if value not in HOUSES[1:]:
            raise DeploymentError(f"{path}: houses.{key} is {value!r}: use one of {', '.join(HOUSES[1:])}")
    document = _table(path, data, "charter").get("document")
    if document is not None and not isinstance(document, str):
        raise DeploymentError(f"{path}: charter.document must be a file name")
    document_path = str((path.parent / document).resolve()) if document else ""
    cid = charter_cid(document_path or None)
    vault = data.get("vault", {})
    royalty = _whole(path, "vault.default_royalty_bps", vault.get("default_royalty_bps", base.default_royalty_bps))
    fee = _whole(path, "vault.fee_bps", vault.get("fee_bps", 0))
    if fee > MAX_FEE_BPS:
        raise DeploymentError(f"{path}: vault.fee_bps {fee} is above the vault's maximum of {MAX_FEE_BPS}")
    allocations: dict[str, int] = {}
    treasury_amount = 0
    for who, value in _table(path, data, "allocations").items():
        amount = _whole(path, f"allocations.{who}", value, positive=True) * TOKEN
        if who == "treasury":
            treasury_amount += amount
            continue
        address = _address(path, f"allocations.{who}", who)
        allocations[address] = allocations.get(address, 0) + amount
    if not allocations and not treasury_amount:
        raise DeploymentError(f"{path}: no [allocations]: name who holds the {supply / TOKEN:,.0f} tokens "
                              f"(addresses, and `treasury` for the timelock)")
    total = sum(allocations.values()) + treasury_amount
    if total != supply:
        raise DeploymentError(f"{path}: allocations sum to {total / TOKEN:,.0f} tokens but token.supply is "
                              f"{supply / TOKEN:,.0f}: they must be equal")
    settings = replace(base, **changes, initial_supply=supply, default_royalty_bps=royalty,
                       allocations=allocations, genesis_to_treasury=treasury_amount > 0)
    validate(settings, str(path))
    roles = data.get("roles", {})
    name_value = name or data.get("name") or f"{code} Governor"
    for key, value in (("name", name_value), ("token.name", token.get("name", f"{code} Commons")),
                       ("token.symbol", token.get("symbol", "OCT"))):
        if not isinstance(value, str) or not value.strip():
            raise DeploymentError(f"{path}: {key} must be a non-empty string")
    return CommonsSpec(
        code=code, name=name_value, token_name=token.get("name", f"{code} Commons"),
        token_symbol=token.get("symbol", "OCT"), governance=settings, allocations=allocations,
        treasury_amount=treasury_amount,
        curators=_addresses(path, "roles.curators", roles.get("curators", [])),
        verifiers=_addresses(path, "roles.verifiers", roles.get("verifiers", [])),
        validators=_addresses(path, "roles.validators", roles.get("validators", [])),
        arbiters=_addresses(path, "roles.arbiters", roles.get("arbiters", [])),
        guardian=_address(path, "roles.guardian", roles["guardian"]) if "guardian" in roles else ZERO,
        allowed_tokens=_addresses(path, "vault.allowed_tokens", vault.get("allowed_tokens", [])),
        default_royalty_bps=royalty, fee_bps=fee,
        fee_treasury=_address(path, "vault.treasury", vault["treasury"]) if "treasury" in vault else ZERO,
        house_claim=claim, house_rules=rules, charter_cid=cid, charter_document=document_path,
    )


def _table(path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise DeploymentError(f"{path}: [{key}] must be a table")
    return value


def _whole(path: Path, key: str, value: Any, positive: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < (1 if positive else 0):
        raise DeploymentError(f"{path}: {key} must be a whole number {'> 0' if positive else '>= 0'}, not {value!r}")
    return value


def _address(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not Web3.is_address(value):
        raise DeploymentError(f"{path}: {key} is not an address: {value!r}")
    return Web3.to_checksum_address(value)


def _addresses(path: Path, key: str, values: Any) -> list[str]:
    if not isinstance(values, list):
        raise DeploymentError(f"{path}: {key} must be a list of addresses")
    return [_address(path, key, v) for v in values]
