"""Turning decoded events into index rows: one handler per (contract, event).

A handler appends rows to a :class:`Batch`, which is written in one transaction per window. The
generation of a dataset id (0, then +1 after each burn) is tagged on every row that depends on it,
since the vault keys its pools by id and generation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select

from . import schema as s

ZERO = "0x0000000000000000000000000000000000000000"


def hex64(number: int) -> str:
    return f"{number:064x}"


def hx(value: bytes | bytearray) -> str:
    return "0x" + bytes(value).hex()


@dataclass
class Where:
    commons: int
    block: int
    log_index: int
    tx: str
    timestamp: int | None = None  # only fetched for blocks whose rows need it

    def row(self, **values: Any) -> dict[str, Any]:
        return {"commons": self.commons, "block": self.block, "log_index": self.log_index, "tx": self.tx, **values}


@dataclass
class Batch:
    """Rows per table for one window, and what the handlers learnt on the way."""

    conn: Connection
    commons: int
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    generations: dict[str, int] = field(default_factory=dict)
    #: (dataset, generation) -> its publication's (account, share_bps), for the credits of a payment
    contributors: dict[tuple[str, int], list[tuple[str, int]]] = field(default_factory=dict)
    #: (account, token) -> the `n` of the account's latest credit above zero in the token
    ordinals: dict[tuple[str, str], int] = field(default_factory=dict)
    count: int = 0

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def prefetch(self, datasets: set[str]) -> None:
        """Reads the generation of each of `datasets` (hex64 ids) in a few queries, not one each."""
        todo = sorted(datasets - self.generations.keys())
        b = s.burns
        for i in range(0, len(todo), 500):
            chunk = todo[i:i + 500]
            latest = dict(self.conn.execute(select(b.c.dataset, func.max(b.c.generation)).where(
                b.c.commons == self.commons, b.c.dataset.in_(chunk)).group_by(b.c.dataset)).all())
            self.generations.update({d: int(latest.get(d) or 0) for d in chunk})

    def prefetch_contributors(self, datasets: set[str]) -> None:
        """Reads the contributors of each of `datasets` in its current generation (`prefetch` first)
        in a few queries: the window's payments credit them."""
        todo = sorted(d for d in datasets if (d, self.generations.get(d, 0)) not in self.contributors)
        dc = s.dataset_contributors
        for i in range(0, len(todo), 500):
            chunk = todo[i:i + 500]
            found: dict[tuple[str, int], list[tuple[int, str, int]]] = defaultdict(list)
            for dataset, generation, position, account, share in self.conn.execute(select(
                    dc.c.dataset, dc.c.generation, dc.c.position, dc.c.account, dc.c.share_bps).where(
                    dc.c.commons == self.commons, dc.c.dataset.in_(chunk))):
                if int(generation) == self.generations.get(dataset, 0):
                    found[(dataset, int(generation))].append((int(position), account, int(share)))
            for dataset in chunk:
                key = (dataset, self.generations.get(dataset, 0))
                self.contributors[key] = [(account, share) for _, account, share in sorted(found.get(key, []))]

    def contributors_of(self, dataset: str, generation: int) -> list[tuple[str, int]]:
        key = (dataset, generation)
        if key not in self.contributors:
            dc = s.dataset_contributors
            self.contributors[key] = [(a, int(bps)) for a, bps in self.conn.execute(
                select(dc.c.account, dc.c.share_bps).where(dc.c.commons == self.commons, dc.c.dataset == dataset,
                                                           dc.c.generation == generation).order_by(dc.c.position))]
        return self.contributors[key]

    def ordinal(self, account: str, token: str) -> int:
        """The next `n` of `account`'s credits above zero in `token`."""
        key = (account, token)
        latest = self.ordinals.get(key)
        if latest is None:
            cr = s.credits
            latest = int(self.conn.execute(select(func.max(cr.c.n)).where(
                cr.c.commons == self.commons, cr.c.account == account, cr.c.token == token)).scalar() or 0)
        self.ordinals[key] = latest + 1
        return latest + 1

    def generation(self, dataset: str) -> int:
        if dataset not in self.generations:
            latest = self.conn.execute(
                select(func.max(s.burns.c.generation)).where(s.burns.c.commons == self.commons,
                                                               s.burns.c.dataset == dataset)).scalar()
            self.generations[dataset] = int(latest or 0)
        return self.generations[dataset]

    def write(self) -> None:
        for table in s.EVENT_TABLES:  # parents before children is not needed: no foreign keys between events
            rows = self.rows.get(table)
            if rows:
                self.conn.execute(table.insert(), rows)


Handler = Callable[[Batch, Where, dict[str, Any]], None]


def _published(b: Batch, w: Where, a: dict[str, Any]) -> None:
    dataset = hex64(a["datasetId"])
    p = a["params"]
    generation = b.generation(dataset)
    assert w.timestamp is not None
    b.add(s.datasets, w.row(
        dataset=dataset, generation=generation, publisher=a["publisher"], commons_hash=hx(a["commons"]),
        depth=a["depth"], previous_version=hex64(a["previousVersion"]) if a["previousVersion"] else None,
        content_digest=hx(p["contentDigest"]), content_codec=p["contentCodec"],
        manifest_digest=hx(p["manifestDigest"]), manifest_codec=p["manifestCodec"], license=p["license"],
        ancestor_bps=p["ancestorBps"], contributor_count=len(p["contributors"]), published_at=w.timestamp))
    b.contributors[(dataset, generation)] = [(c["account"], int(c["shareBps"])) for c in p["contributors"]]
    for i, c in enumerate(p["contributors"]):
        b.add(s.dataset_contributors, w.row(position=i, dataset=dataset, generation=generation,
                                            account=c["account"], share_bps=c["shareBps"]))
    for i, parent in enumerate(p["parents"]):
        b.add(s.lineage, w.row(position=i, child=dataset, generation=generation, parent=hex64(parent)))


def _curated(b: Batch, w: Where, a: dict[str, Any]) -> None:
    dataset = hex64(a["datasetId"])
    b.add(s.curations, w.row(dataset=dataset, generation=b.generation(dataset), curator=a["curator"],
                             from_status=a["from"], to_status=a["to"]))


def _burned(b: Batch, w: Where, a: dict[str, Any]) -> None:
    dataset = hex64(a["datasetId"])
    b.add(s.burns, w.row(dataset=dataset, owner=a["owner"], generation=a["generation"]))
    b.generations[dataset] = int(a["generation"])


def _nft_transfer(b: Batch, w: Where, a: dict[str, Any]) -> None:
    b.add(s.transfers, w.row(dataset=hex64(a["tokenId"]), sender=a["from"], recipient=a["to"]))


def _contributor(kind: str) -> Handler:
    def handle(b: Batch, w: Where, a: dict[str, Any]) -> None:
        b.add(s.contributor_events, w.row(
            account=a["account"], kind=kind, community=hx(a["community"]) if "community" in a else None,
            profile_digest=hx(a["profileDigest"]) if "profileDigest" in a else None,
            profile_codec=a.get("profileCodec"), registered_at=a.get("registeredAt")))
    return handle


#: the largest integer every database's BIGINT holds (SQLite's INTEGER is signed 64-bit)
_INT64_MAX = 2**63 - 1


def _until(value: Any) -> int | None:
    """An expiry as the index keeps it: a perpetual one (2^64 - 1 on-chain) as the largest BIGINT,
    still later than any time a read compares it with."""
    return None if value is None else min(int(value), _INT64_MAX)


def _claim(revoked: bool) -> Handler:
    def handle(b: Batch, w: Where, a: dict[str, Any]) -> None:
        b.add(s.claims, w.row(account=a["account"], claim_type=hx(a["claimType"]), verifier=a["verifier"],
                              issued_at=a.get("issuedAt"), expires_at=_until(a.get("expiresAt")), revoked=revoked))
    return handle


def _attested(b: Batch, w: Where, a: dict[str, Any]) -> None:
    b.add(s.attestations, w.row(attestation_id=str(a["attestationId"]), dataset=hex64(a["datasetId"]),
                                validator=a["validator"], kind=hx(a["kind"]), score=a["score"],
                                evidence_digest=hx(a["evidenceDigest"]), evidence_codec=a["evidenceCodec"],
                                created_at=a["createdAt"]))


def _attestation_revoked(b: Batch, w: Where, a: dict[str, Any]) -> None:
    b.add(s.attestation_revocations, w.row(attestation_id=str(a["attestationId"]), dataset=hex64(a["datasetId"]),
                                           revoker=a["revoker"]))


def _terms(b: Batch, w: Where, a: dict[str, Any]) -> None:
    b.add(s.license_terms, w.row(dataset=hex64(a["datasetId"]), token=a["token"], price=str(a["price"]),
                                 duration=a["duration"], terms_digest=hx(a["termsDigest"]), active=a["active"]))


def _licensed(b: Batch, w: Where, a: dict[str, Any]) -> None:
    b.add(s.licenses, w.row(license_id=str(a["licenseId"]), dataset=hex64(a["datasetId"]), licensee=a["licensee"],
                            token=a["token"], price=str(a["price"]), issued_at=a["issuedAt"],
                            expires_at=_until(a["expiresAt"]), terms_digest=hx(a["termsDigest"])))


#: basis points in a whole (RoyaltyConstants.BPS)
BPS = 10_000
_LIMB_MASK = (1 << s.LIMB_BITS) - 1


def rise_of(contributor_share: int, carry: int) -> int:
    """How far a `RoyaltyPaid` raised its pool's accumulator (earned per basis point), from the
    event alone. The vault adds the contributors' share and the pool's previous carry (below
    10,000), credits the whole basis points and keeps the rest as the new carry: so the previous
    carry is the one number below 10,000 that makes `share + previous - carry` a multiple of
    10,000, and the rise is that multiple's count (no read of the pool's previous payment)."""
    previous = (carry - contributor_share) % BPS
    return (contributor_share + previous - carry) // BPS


def limbs(value: int) -> dict[str, int]:
    """`value` (below 2^144) as the credits table's limbs, least significant first."""
    return {limb: (value >> (i * s.LIMB_BITS)) & _LIMB_MASK for i, limb in enumerate(s.LIMBS)}


def combine(parts: Sequence[int]) -> int:
    """`limbs` undone: the four limbs (or the SUM of each limb over many credits), least significant
    first, as one integer. Written out: a page combines one per pool, thousands."""
    e0, e1, e2, e3 = parts
    if not (e1 or e2 or e3):
        return e0
    return e0 + (e1 << _B) + (e2 << 2 * _B) + (e3 << 3 * _B)


_B = s.LIMB_BITS


def _paid(b: Batch, w: Where, a: dict[str, Any]) -> None:
    dataset = hex64(a["datasetId"])
    generation, token = b.generation(dataset), a["token"]
    b.add(s.payments, w.row(dataset=dataset, generation=generation, token=token, payer=a["payer"],
                            amount=str(a["amount"]), fee=str(a["fee"]), ancestor_share=str(a["ancestorShare"]),
                            contributor_share=str(a["contributorShare"]), earned_per_bps=str(a["earnedPerBps"]),
                            carry=a["carry"], at=w.timestamp))
    rise = rise_of(int(a["contributorShare"]), int(a["carry"]))
    for account, share in b.contributors_of(dataset, generation):
        credit = share * rise
        b.add(s.credits, w.row(account=account, dataset=dataset, generation=generation, token=token,
                               n=b.ordinal(account, token) if credit else None, at=w.timestamp, **limbs(credit)))


def _claimed(b: Batch, w: Where, a: dict[str, Any]) -> None:
    dataset = hex64(a["datasetId"])
    b.add(s.royalty_claims, w.row(dataset=dataset, generation=b.generation(dataset), token=a["token"],
                                  account=a["account"], amount=str(a["amount"]),
                                  earned_per_bps=str(a["earnedPerBps"])))


def _settled(b: Batch, w: Where, a: dict[str, Any]) -> None:
    dataset = hex64(a["datasetId"])
    b.add(s.settlements, w.row(dataset=dataset, generation=b.generation(dataset), token=a["token"],
                               amount=str(a["amount"]), parents=json.dumps([hex64(p) for p in a["parents"]])))


def _rewarded(b: Batch, w: Where, a: dict[str, Any]) -> None:
    b.add(s.rewards, w.row(dataset=hex64(a["datasetId"]), account=a["account"], share_bps=a["shareBps"],
                           amount=str(a["amount"])))


def _proposed(house: str) -> Handler:
    def handle(b: Batch, w: Where, a: dict[str, Any]) -> None:
        b.add(s.proposals, w.row(proposal_id=str(a["proposalId"]), house=house, proposer=a["proposer"],
                                 targets=json.dumps(list(a["targets"])),
                                 values=json.dumps([str(v) for v in a["values"]]),
                                 calldatas=json.dumps([hx(c) for c in a["calldatas"]]), vote_start=a["voteStart"],
                                 vote_end=a["voteEnd"], description=a["description"]))
    return handle


def _voted(house: str) -> Handler:
    def handle(b: Batch, w: Where, a: dict[str, Any]) -> None:
        b.add(s.votes, w.row(proposal_id=str(a["proposalId"]), house=house, voter=a["voter"], support=a["support"],
                             weight=str(a["weight"]), reason=a["reason"], at=w.timestamp))
    return handle


def _proposal_step(kind: str, house: str) -> Handler:
    def handle(b: Batch, w: Where, a: dict[str, Any]) -> None:
        b.add(s.proposal_events, w.row(proposal_id=str(a["proposalId"]), house=house, kind=kind,
                                       eta=a.get("etaSeconds")))
    return handle


#: the governor of each house (issue 37): the same events, kept apart by house
GOVERNORS = {"CommonsGovernor": "token", "ContributorsGovernor": "contributors"}


HANDLERS: dict[tuple[str, str], Handler] = {
    ("DatasetNFT", "DatasetPublished"): _published,
    ("DatasetNFT", "DatasetCurated"): _curated,
    ("DatasetNFT", "DatasetBurned"): _burned,
    ("DatasetNFT", "Transfer"): _nft_transfer,
    ("ContributorRegistry", "ContributorRegistered"): _contributor("registered"),
    ("ContributorRegistry", "ContributorUpdated"): _contributor("updated"),
    ("ContributorRegistry", "ContributorDeactivated"): _contributor("deactivated"),
    ("ContributorRegistry", "ClaimAttested"): _claim(False),
    ("ContributorRegistry", "ClaimRevoked"): _claim(True),
    ("DatasetAttestations", "DatasetAttested"): _attested,
    ("DatasetAttestations", "AttestationRevoked"): _attestation_revoked,
    ("LicenseManager", "LicenseTermsSet"): _terms,
    ("LicenseManager", "LicensePurchased"): _licensed,
    ("RoyaltyVault", "RoyaltyPaid"): _paid,
    ("RoyaltyVault", "RoyaltyClaimed"): _claimed,
    ("RoyaltyVault", "AncestorRoyaltySettled"): _settled,
    ("ContributionRewards", "ContributionRewarded"): _rewarded,
    **{key: handler for governor, house in GOVERNORS.items() for key, handler in (
        ((governor, "ProposalCreated"), _proposed(house)),
        ((governor, "VoteCast"), _voted(house)),
        ((governor, "VoteCastWithParams"), _voted(house)),
        ((governor, "ProposalQueued"), _proposal_step("queued", house)),
        ((governor, "ProposalExecuted"), _proposal_step("executed", house)),
        ((governor, "ProposalCanceled"), _proposal_step("canceled", house)))},
}

#: events whose rows keep their block's time (publications; payments and votes, plotted over time)
NEEDS_TIMESTAMP = {("DatasetNFT", "DatasetPublished"), ("RoyaltyVault", "RoyaltyPaid"),
                   *((g, e) for g in GOVERNORS for e in ("VoteCast", "VoteCastWithParams"))}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return hx(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 53:
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def ingest(b: Batch, contract: str, name: str, args: dict[str, Any], where: Where) -> None:
    handler = HANDLERS.get((contract, name))
    if handler is None:
        b.add(s.other_events, where.row(contract=contract, name=name, args=json.dumps(_jsonable(args), sort_keys=True)))
    else:
        handler(b, where, args)
    b.count += 1
