"""Portable references to a commons, and the commons this machine has joined.

A reference is one line a commons' operator shares and anyone joins with, from any folder:

    opencommons:31337@120/suite/0x5FbD...,0xe7f1...,...?gateway=https://data.example.org
    opencommons:31337@98/factory/0xCf7E.../KE%2Feducation?gateway=https://data.example.org

It names the chain, the block the commons begins at, and either the nine contracts of a directly
deployed suite (in `SUITE` order) or the CommonsFactory and the commons' code (the factory's
directory gives the rest); `gateway` (trustless gateways serving `/ipfs/CID?format=raw`) and `kubo`
(Kubo RPC nodes) say where its content can be fetched. Nothing in a reference is trusted: joining
reads every address from the chain, checks each contract's code against the compiled artifacts
and their wiring, and records the commons under ``$OPENCOMMONS_HOME/commons/<name>.json``.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3

from .chain.deploy import SUITE, Deployment
from .errors import DeploymentError
from .home import opencommons_home

SCHEME = "opencommons:"
MAX_REFERENCE = 4096
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HEAD = re.compile(r"^(\d{1,19})@(\d{1,19})/(suite|factory)/(.+)$")


class CommonsReferenceError(DeploymentError):
    """A commons reference that cannot be parsed, or that the chain does not bear out."""


@dataclass(frozen=True)
class CommonsRef:
    chain_id: int
    block: int
    #: the directly deployed suite's contracts by name (empty for a factory-made commons)
    addresses: dict[str, str] = field(default_factory=dict)
    factory: str | None = None
    code: str | None = None
    gateways: tuple[str, ...] = ()
    kubo: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.factory is not None:
            body = f"factory/{self.factory}/{urllib.parse.quote(self.code or '', safe='')}"
        else:
            body = "suite/" + ",".join(self.addresses[name] for name in SUITE)
        query = urllib.parse.urlencode([("gateway", g) for g in self.gateways] + [("kubo", k) for k in self.kubo])
        return f"{SCHEME}{self.chain_id}@{self.block}/{body}" + (f"?{query}" if query else "")

    @classmethod
    def parse(cls, text: str) -> "CommonsRef":
        """The reference in `text`, refused in one line when malformed."""
        text = text.strip()
        if len(text) > MAX_REFERENCE:
            raise CommonsReferenceError(f"a commons reference is at most {MAX_REFERENCE} characters, "
                                        f"not {len(text)}")
        if not text.startswith(SCHEME):
            raise CommonsReferenceError(f"not a commons reference (it starts with {SCHEME!r}): {text[:60]!r}")
        head, _, query = text[len(SCHEME):].partition("?")
        match = _HEAD.match(head)
        if match is None:
            raise CommonsReferenceError("malformed commons reference: expected opencommons:CHAIN@BLOCK/suite/"
                                        "ADDRESSES or opencommons:CHAIN@BLOCK/factory/ADDRESS/CODE")
        chain_id, block, kind, rest = int(match[1]), int(match[2]), match[3], match[4]
        sources = urllib.parse.parse_qs(query, keep_blank_values=True, strict_parsing=False) if query else {}
        unknown = sorted(set(sources) - {"gateway", "kubo"})
        if unknown:
            raise CommonsReferenceError(f"unknown part {unknown[0]!r} in the commons reference: gateway and "
                                        "kubo are known")
        gateways = tuple(_http_url(u, "gateway") for u in sources.get("gateway", []))
        kubo = tuple(_http_url(u, "kubo") for u in sources.get("kubo", []))
        if kind == "suite":
            parts = rest.split(",")
            if len(parts) != len(SUITE):
                raise CommonsReferenceError(f"a suite reference names {len(SUITE)} contracts, "
                                            f"this one {len(parts)}")
            addresses = {name: _address(a) for name, a in zip(SUITE, parts)}
            return cls(chain_id, block, addresses, gateways=gateways, kubo=kubo)
        factory, slash, code = rest.partition("/")
        code = urllib.parse.unquote(code)
        if not slash or not code or len(code) > 64 or any(c in code for c in "\n\r\0"):
            raise CommonsReferenceError("a factory reference ends with the commons' code: .../factory/ADDRESS/CODE")
        return cls(chain_id, block, {}, _address(factory), code, gateways, kubo)

    def label(self) -> str:
        """A name to record the commons under when the joiner gives none."""
        if self.code:
            return re.sub(r"[^A-Za-z0-9._-]", "-", self.code).strip("-.") or "commons"
        return f"commons-{self.chain_id}-{self.addresses['DatasetNFT'][2:10].lower()}"


@dataclass(frozen=True)
class DatasetLink:
    """A dataset with its commons: `<commons reference>#dataset=<id>`. The same content published
    in two commons has the same id; a link names which one."""

    commons: CommonsRef
    dataset_id: int

    def __str__(self) -> str:
        return f"{self.commons}#dataset={self.dataset_id}"

    @classmethod
    def parse(cls, text: str) -> "DatasetLink":
        head, sep, fragment = text.strip().partition("#")
        key, eq, value = fragment.partition("=")
        if not sep or key != "dataset" or not eq or not value.isdigit() or len(value) > 78 or int(value) >= 1 << 256:
            raise CommonsReferenceError("malformed dataset link: expected a commons reference ending in "
                                        "#dataset=ID (from `commons dataset link ID`)")
        return cls(CommonsRef.parse(head), int(value))


def is_link(text: str) -> bool:
    """Whether `text` is a dataset link (a commons reference with a #dataset= part)."""
    return text.strip().startswith(SCHEME) and "#" in text


def names_commons(ref: CommonsRef, deployment: Deployment) -> bool:
    """Whether `ref` names the commons `deployment` records (its block aside)."""
    if ref.chain_id != deployment.chain_id:
        return False
    if ref.factory is not None:
        factory, code = deployment.factory, deployment.code
        return (factory is not None and code is not None and Web3.to_checksum_address(factory["address"]) == ref.factory
                and code.lower() == (ref.code or "").lower())
    return deployment.addresses.get("DatasetNFT") == ref.addresses.get("DatasetNFT")


def _address(text: str) -> str:
    if not Web3.is_address(text):
        raise CommonsReferenceError(f"malformed address in the commons reference: {text[:50]!r}")
    return Web3.to_checksum_address(text)


def _http_url(text: str, what: str) -> str:
    parsed = urllib.parse.urlsplit(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CommonsReferenceError(f"the reference's {what} must be an http(s) URL, not {text[:60]!r}")
    return text.rstrip("/")


@dataclass
class Joined:
    """A commons this machine joined: its name here, the RPC URL it is reached through, the
    reference it was joined by, and its contracts as read from the chain."""

    name: str
    rpc: str
    reference: CommonsRef
    deployment: Deployment

    def to_json(self) -> str:
        """The record as written under the home folder."""
        from dataclasses import asdict

        return json.dumps({"name": self.name, "rpc": self.rpc, "reference": str(self.reference),
                           "deployment": asdict(self.deployment)}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> "Joined":
        try:
            data = json.loads(path.read_text())
            return cls(str(data["name"]), str(data["rpc"]), CommonsRef.parse(data["reference"]),
                       Deployment(**data["deployment"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DeploymentError(f"cannot read joined commons {path}: {type(exc).__name__}: {exc}") from None


def joined_dir(home: Path | None = None) -> Path:
    """Where joined commons are recorded: `$OPENCOMMONS_HOME/commons`."""
    return (home or opencommons_home()) / "commons"


def joined(home: Path | None = None) -> list[Joined]:
    """Every commons joined on this machine, by name."""
    folder = joined_dir(home)
    return [Joined.from_file(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def default_name(home: Path | None = None) -> str | None:
    """The default joined commons' name, or None."""
    path = joined_dir(home) / "default"
    return path.read_text().strip() or None if path.is_file() else None


def set_default(name: str, home: Path | None = None) -> None:
    """Makes the joined commons `name` the default one."""
    if not (joined_dir(home) / f"{name}.json").is_file():
        raise DeploymentError(f"no joined commons named {name!r}: see `commons commons list`")
    _write(joined_dir(home) / "default", name + "\n")


def find(name_or_code: str | None, home: Path | None = None) -> Joined | None:
    """The joined commons named `name_or_code` (or whose code it is), else, with None, the
    default one (or the only one); None when nothing matches."""
    rows = joined(home)
    if name_or_code is None:
        wanted = default_name(home)
        if wanted is None:
            return rows[0] if len(rows) == 1 else None
        name_or_code = wanted
    for row in rows:
        if row.name == name_or_code:
            return row
    by_code = [r for r in rows if r.reference.code and r.reference.code.lower() == name_or_code.lower()]
    return by_code[0] if len(by_code) == 1 else None


def reference_of(deployment: Deployment, gateways: list[str] | None = None,
                 kubo: list[str] | None = None) -> CommonsRef:
    """The reference to the commons `deployment` acts on (narrowed to one commons)."""
    gateways_ = tuple(_http_url(g, "gateway") for g in gateways or [])
    kubo_ = tuple(_http_url(k, "kubo") for k in kubo or [])
    if deployment.code and deployment.factory:
        return CommonsRef(deployment.chain_id, deployment.block, {}, Web3.to_checksum_address(
            deployment.factory["address"]), deployment.code, gateways_, kubo_)
    missing = [name for name in SUITE if name not in deployment.addresses]
    if missing:
        raise DeploymentError(f"this deployment records no {missing[0]}: nothing to share")
    return CommonsRef(deployment.chain_id, deployment.block,
                      {n: Web3.to_checksum_address(deployment.addresses[n]) for n in SUITE}, gateways=gateways_,
                      kubo=kubo_)


def resolve(w3: Web3, ref: CommonsRef) -> Deployment:
    """The commons `ref` names, read from the chain behind `w3` and checked: the chain id, code
    at every address equal to the compiled artifacts', the contracts wired to one another and
    governed by their own timelock. Refuses in one line."""
    from .chain import verify
    from .chain.deploy import contract
    from .chain.factory import FIELDS, launched, named

    chain_id = w3.eth.chain_id
    if chain_id != ref.chain_id:
        raise CommonsReferenceError(f"the reference is to a commons on chain {ref.chain_id}, but the RPC URL "
                                    f"reaches chain {chain_id}")
    if ref.block > w3.eth.block_number:
        raise CommonsReferenceError(f"the reference's commons begins at block {ref.block}, past this chain's head")
    factory_record = None
    creator = "0x0000000000000000000000000000000000000000"
    if ref.factory is not None:
        if not w3.eth.get_code(Web3.to_checksum_address(ref.factory)):
            raise CommonsReferenceError(f"no contract at the reference's factory {ref.factory} on chain {chain_id}")
        factory = contract(w3, "CommonsFactory", ref.factory)
        try:
            templates = factory.functions.templates().call()
        except Exception:  # noqa: BLE001 - whatever sits there, it is not our factory
            raise CommonsReferenceError(f"{ref.factory} is not a CommonsFactory (its code answers no "
                                        "`templates`)") from None
        factory_record = {"address": ref.factory, "templates": dict(zip(FIELDS, templates))}
        failed = [d for what, ok, d in verify.factory_checks(w3, factory_record) if not ok]
        if failed:
            raise CommonsReferenceError(f"the reference's factory is not OpenCommons' CommonsFactory: {failed[0]}")
        addresses = launched(factory, ref.code or "")
        if addresses is None:
            raise CommonsReferenceError(f"the factory at {ref.factory} launched no commons {ref.code!r}")
        a = named(addresses)
        creator = factory.functions.creatorOf(ref.code or "").call()
    else:
        a = dict(ref.addresses)
    deployment = Deployment(chain_id=chain_id, block=ref.block, deployer=creator, addresses=a, compiler={},
                            settings={}, factory=factory_record, code=ref.code)
    for what, ok, detail in verify.commons_checks(w3, ref.code or "suite", deployment, creator, factory_record):
        if not ok:
            raise CommonsReferenceError(f"refused: {what}: {detail}")
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"]).functions
    wired = {"the NFT's registry": (nft.registry().call(), a["ContributorRegistry"]),
             "the NFT's royalty vault": (nft.royaltyVault().call(), a["RoyaltyVault"]),
             "the licences' datasets": (contract(w3, "LicenseManager", a["LicenseManager"]).functions.datasets().call(),
                                        a["DatasetNFT"])}
    if "DatasetRights" in a:
        wired["the licences' rights"] = (contract(w3, "LicenseManager", a["LicenseManager"]).functions.rights().call(),
                                         a["DatasetRights"])
    for what, (found, expected) in wired.items():
        if Web3.to_checksum_address(found) != Web3.to_checksum_address(expected):
            raise CommonsReferenceError(f"refused: {what} is {found}, not the reference's {expected}")
    return deployment


def join(w3: Web3, rpc: str, ref: CommonsRef, name: str | None = None, home: Path | None = None) -> Joined:
    """Checks `ref` against the chain and records it as `name` (default: its code, or a label);
    the first commons joined becomes the default. Joining the same reference again changes nothing."""
    name = name or ref.label()
    if not _NAME.match(name):
        raise CommonsReferenceError(f"a joined commons' name is letters, digits and ._- (at most 64), "
                                    f"not {name!r}")
    deployment = resolve(w3, ref)
    record = Joined(name, rpc, ref, deployment)
    folder = joined_dir(home)
    target = folder / f"{name}.json"
    if target.is_file():
        existing = Joined.from_file(target)
        if existing.deployment.addresses != deployment.addresses or existing.deployment.chain_id != ref.chain_id:
            raise CommonsReferenceError(f"another commons is joined as {name!r} already: choose another name "
                                        "with --as")
    folder.mkdir(parents=True, exist_ok=True)
    _write(target, record.to_json())
    if default_name(home) is None:
        set_default(name, home)
    return record


def _write(target: Path, text: str) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text)
    os.replace(partial, target)


def describe(record: Joined) -> dict[str, Any]:
    """A joined commons as `commons commons list --json` shows it."""
    ref = record.reference
    return {"name": record.name, "chainId": ref.chain_id, "rpc": record.rpc, "code": ref.code,
            "datasets": record.deployment.addresses["DatasetNFT"], "gateways": list(ref.gateways),
            "kubo": list(ref.kubo), "reference": str(ref)}


def content_source(commons: Any | None, store: str = "embedded", home: Path | None = None, api: str | None = None,
                   gateway: str | None = None, link: DatasetLink | None = None) -> Any:
    """Where a command reads blocks from: `gateway` when named; else the local store, then the
    gateways and Kubo nodes the joined commons' reference (or the dataset `link`) names, every
    block re-hashed."""
    from .ipfs.blocks import FirstOf
    from .ipfs.content import open_store
    from .ipfs.gateway import GatewaySource

    if gateway:
        return GatewaySource(gateway)
    local = open_store(store, home, api)
    record = _joined_record(commons.deployment) if commons is not None else None
    refs = [r for r in (record.reference if record else None, link.commons if link else None) if r is not None]
    gateways = list(dict.fromkeys(g for r in refs for g in r.gateways))
    nodes = list(dict.fromkeys(k for r in refs for k in r.kubo))
    if not gateways and not nodes:
        return local
    remote: list[Any] = [GatewaySource(g) for g in gateways] + [open_store("kubo", None, k) for k in nodes]
    return FirstOf([local, *remote])


def commons_label(commons: Any) -> str:
    """What to call the commons `commons` acts on: its joined name, its code, or the suite."""
    record = _joined_record(commons.deployment)
    if record is not None:
        return record.name
    return commons.deployment.code or "the directly deployed suite"


def link_of(commons: Any, dataset_id: int) -> DatasetLink:
    """The link to `dataset_id` in `commons`, with the content sources its joined reference names."""
    record = _joined_record(commons.deployment)
    ref = reference_of(commons.deployment)
    if record is not None:
        ref = CommonsRef(ref.chain_id, ref.block, ref.addresses, ref.factory, ref.code, record.reference.gateways,
                         record.reference.kubo)
    return DatasetLink(ref, dataset_id)


def _joined_record(deployment: Deployment) -> Joined | None:
    nft = deployment.addresses.get("DatasetNFT")
    for record in joined():
        if record.deployment.chain_id == deployment.chain_id and record.deployment.addresses.get("DatasetNFT") == nft:
            return record
    return None
