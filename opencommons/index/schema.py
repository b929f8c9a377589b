"""The index's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Every table but `commons`, `sync_state` and `blocks` is append-only and keyed by where its event
sits on the chain (block, log index), so that undoing a reorg is deleting the rows above the fork.
What changes over time (a dataset's status, owner, a contributor's profile) is read as the latest
event of its kind. 256-bit numbers are stored as text: dataset ids as 64 lowercase hex digits (they
sort like the numbers), amounts and proposal ids as decimal digits (summed exactly in Python).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, func,
                        UniqueConstraint)

#: 2: payments and votes keep their block's time (`at`), for plots over time
SCHEMA_VERSION = 4  # 3: proposals, votes and their steps per house (issue 37); 4: credits
metadata = MetaData()

Hex64 = String(64)
Address = String(42)
Amount = String(80)


def _event_table(name: str, *columns: "Column[Any]", indexes: tuple[tuple[str, ...], ...] = ()) -> Table:
    table = Table(
        name, metadata,
        Column("commons", Integer, ForeignKey("commons.id"), primary_key=True),
        Column("block", BigInteger, primary_key=True),
        Column("log_index", Integer, primary_key=True),
        Column("tx", String(66), nullable=False),
        *columns,
    )
    for cols in indexes:
        label = f"ix_{name}_{'_'.join(cols)}"
        if len(label) > 60:  # PostgreSQL's names stop at 63 bytes
            label = f"ix_{name}_{'_'.join(cols[:2])}_covering"
        Index(label, table.c.commons, *(table.c[c] for c in cols))
    return table


meta = Table("meta", metadata, Column("key", String(40), primary_key=True), Column("value", Text, nullable=False))

commons = Table(
    "commons", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("nft", Address, nullable=False),  # the DatasetNFT address names a deployment
    Column("code", String(120)),
    Column("deploy_block", BigInteger, nullable=False),
    Column("addresses", Text, nullable=False),  # JSON: contract name -> address
    UniqueConstraint("chain_id", "nft", name="uq_commons_chain_nft"),
)

sync_state = Table(
    "sync_state", metadata,
    Column("commons", Integer, ForeignKey("commons.id"), primary_key=True),
    Column("next_block", BigInteger, nullable=False),  # the first block not read yet
    Column("events", BigInteger, nullable=False, default=0),
)

blocks = Table(
    "blocks", metadata,
    Column("commons", Integer, ForeignKey("commons.id"), primary_key=True),
    Column("number", BigInteger, primary_key=True),
    Column("hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

contributor_events = _event_table(
    "contributor_events",
    Column("account", Address, nullable=False),
    Column("kind", String(12), nullable=False),  # registered, updated, deactivated
    Column("community", String(66)),
    Column("profile_digest", String(66)),
    Column("profile_codec", BigInteger),
    Column("registered_at", BigInteger),
    indexes=(("account",),),
)

claims = _event_table(
    "claims",
    Column("account", Address, nullable=False),
    Column("claim_type", String(66), nullable=False),
    Column("verifier", Address, nullable=False),
    Column("issued_at", BigInteger),
    Column("expires_at", BigInteger),
    Column("revoked", Boolean, nullable=False),
    indexes=(("account", "claim_type"),),
)

datasets = _event_table(
    "datasets",
    Column("dataset", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("publisher", Address, nullable=False),
    Column("commons_hash", String(66), nullable=False),
    Column("depth", Integer, nullable=False),
    Column("previous_version", Hex64),
    Column("content_digest", String(66), nullable=False),
    Column("content_codec", BigInteger, nullable=False),
    Column("manifest_digest", String(66), nullable=False),
    Column("manifest_codec", BigInteger, nullable=False),
    Column("license", String(120), nullable=False),
    Column("ancestor_bps", Integer, nullable=False),
    Column("contributor_count", Integer, nullable=False),
    Column("published_at", BigInteger, nullable=False),
    # covering (dataset, generation, block, log_index): a page of a contributor's datasets reads no table row
    indexes=(("dataset", "generation", "block", "log_index"), ("commons_hash",)),
)
# a dataset's next version: only the rows that have a previous one (most have none, and SQLite's
# statistics then judged an index of every row too unselective to use: a walk of 100,000 rows)
Index("ix_datasets_versions", datasets.c.commons, datasets.c.previous_version,
      sqlite_where=datasets.c.previous_version.isnot(None), postgresql_where=datasets.c.previous_version.isnot(None))
# the explorer and `dataset list` match a licence in any case, newest first: a page is a walk down it.
# It carries the licence itself for PostgreSQL, which answers a count from an expression index
# alone only when every column the expression reads is in it (a licence's 33,000 datasets of
# 100,000: 4 ms instead of 50). A new name: an index made by an older version keeps the old one.
Index("ix_datasets_licence_page", datasets.c.commons, func.lower(datasets.c.license), datasets.c.block,
      datasets.c.log_index, postgresql_include=["license"])

dataset_contributors = _event_table(
    "dataset_contributors",
    Column("position", Integer, primary_key=True),
    Column("dataset", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("account", Address, nullable=False),
    Column("share_bps", Integer, nullable=False),
    # a person's datasets: one looked up (search, a burn's), and all in the order they joined (the ledger)
    indexes=(("account", "dataset", "block", "log_index", "generation", "share_bps"), ("dataset", "generation"),
             ("account", "block", "log_index", "dataset", "generation", "share_bps")),
)

lineage = _event_table(
    "lineage",
    Column("position", Integer, primary_key=True),
    Column("child", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("parent", Hex64, nullable=False),
    indexes=(("parent",), ("child", "generation")),
)

curations = _event_table(
    "curations",
    Column("dataset", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("curator", Address, nullable=False),
    Column("from_status", Integer, nullable=False),
    Column("to_status", Integer, nullable=False),
    indexes=(("dataset", "generation"),),
)

burns = _event_table(
    "burns",
    Column("dataset", Hex64, nullable=False),
    Column("owner", Address, nullable=False),
    Column("generation", Integer, nullable=False),  # the id's generation from now on
    indexes=(("dataset",),),
)

transfers = _event_table(
    "transfers",
    Column("dataset", Hex64, nullable=False),
    Column("sender", Address, nullable=False),
    Column("recipient", Address, nullable=False),
    indexes=(("dataset",),),
)

attestations = _event_table(
    "attestations",
    Column("attestation_id", String(80), nullable=False),
    Column("dataset", Hex64, nullable=False),
    Column("validator", Address, nullable=False),
    Column("kind", String(66), nullable=False),
    Column("score", Integer, nullable=False),
    Column("evidence_digest", String(66), nullable=False),
    Column("evidence_codec", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    indexes=(("dataset",),),
)

attestation_revocations = _event_table(
    "attestation_revocations",
    Column("attestation_id", String(80), nullable=False),
    Column("dataset", Hex64, nullable=False),
    Column("revoker", Address, nullable=False),
    indexes=(("dataset",),),
)

license_terms = _event_table(
    "license_terms",
    Column("dataset", Hex64, nullable=False),
    Column("token", Address, nullable=False),
    Column("price", Amount, nullable=False),
    Column("duration", BigInteger, nullable=False),
    Column("terms_digest", String(66), nullable=False),
    Column("active", Boolean, nullable=False),
    indexes=(("dataset",),),
)

licenses = _event_table(
    "licenses",
    Column("license_id", String(80), nullable=False),
    Column("dataset", Hex64, nullable=False),
    Column("licensee", Address, nullable=False),
    Column("token", Address, nullable=False),
    Column("price", Amount, nullable=False),
    Column("issued_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("terms_digest", String(66), nullable=False),
    indexes=(("dataset",), ("licensee",)),
)

payments = _event_table(
    "payments",
    Column("dataset", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("token", Address, nullable=False),
    Column("payer", Address, nullable=False),
    Column("amount", Amount, nullable=False),
    Column("fee", Amount, nullable=False),
    Column("ancestor_share", Amount, nullable=False),
    Column("contributor_share", Amount, nullable=False),
    Column("earned_per_bps", Amount, nullable=False),
    Column("carry", Integer, nullable=False),
    Column("at", BigInteger, nullable=False),  # the block's timestamp
    # covering what a contributor's earnings read of each payment (its datasets' payments are scattered)
    indexes=(("dataset", "generation", "token", "block", "log_index", "earned_per_bps", "at"), ("payer",)),
)

#: bits in each of a credit's four limbs: a credit (a share of at most 10,000 bps times a rise of
#: the uint128 accumulator) is below 2^142 <= 2^144, and a SUM of one limb stays below SQLite's 2^63
#: over 2^27 rows, so a person's totals and series are added up by the database, exactly
LIMB_BITS = 36
LIMBS = ("e0", "e1", "e2", "e3")

#: what each contributor of a dataset earned from each payment into it: one row per (payment,
#: contributor of the paid generation's publication), the contributor's share times the rise of the
#: pool's accumulator (`RoyaltyPaid` says the rise: see `ingest.rise_of`), in four limbs. `n` numbers
#: the account's credits above zero in that token, 1, 2, ... (None for a zero one), so a series of
#: at most 100 points is a GROUP BY over a stretch of numbers. Keyed by block like every event row:
#: a reorganisation's rollback removes them with the payments.
credits = _event_table(
    "credits",
    Column("account", Address, primary_key=True),
    Column("dataset", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("token", Address, nullable=False),
    Column("n", Integer),
    *(Column(limb, BigInteger, nullable=False) for limb in LIMBS),
    Column("at", BigInteger, nullable=False),
    # a person's pools (dataset, generation, token) in one walk; a person's series per token by `n`
    indexes=(("account", "dataset", "generation", "token", "block", "log_index", "n", *LIMBS),
             ("account", "token", "n", "at", *LIMBS, "dataset", "generation")),
)

royalty_claims = _event_table(
    "royalty_claims",
    Column("dataset", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("token", Address, nullable=False),
    Column("account", Address, nullable=False),
    Column("amount", Amount, nullable=False),
    Column("earned_per_bps", Amount, nullable=False),
    indexes=(("dataset", "generation", "token", "account"), ("account",)),
)

settlements = _event_table(
    "settlements",
    Column("dataset", Hex64, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("token", Address, nullable=False),
    Column("amount", Amount, nullable=False),
    Column("parents", Text, nullable=False),  # JSON list of hex64 ids
    indexes=(("dataset", "generation", "token"),),
)

rewards = _event_table(
    "rewards",
    Column("dataset", Hex64, nullable=False),
    Column("account", Address, nullable=False),
    Column("share_bps", Integer, nullable=False),
    Column("amount", Amount, nullable=False),
    indexes=(("dataset",), ("account",)),
)

proposals = _event_table(
    "proposals",
    Column("proposal_id", String(80), nullable=False),
    Column("house", String(12), nullable=False, server_default="token"),  # token | contributors
    Column("proposer", Address, nullable=False),
    Column("targets", Text, nullable=False),  # JSON
    Column("values", Text, nullable=False),  # JSON (decimal strings)
    Column("calldatas", Text, nullable=False),  # JSON (0x hex)
    Column("vote_start", BigInteger, nullable=False),
    Column("vote_end", BigInteger, nullable=False),
    Column("description", Text, nullable=False),
    indexes=(("proposal_id",),),
)

votes = _event_table(
    "votes",
    Column("proposal_id", String(80), nullable=False),
    Column("house", String(12), nullable=False, server_default="token"),  # token | contributors
    Column("voter", Address, nullable=False),
    Column("support", Integer, nullable=False),
    Column("weight", Amount, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", BigInteger, nullable=False),  # the block's timestamp
    indexes=(("proposal_id",),),
)

proposal_events = _event_table(
    "proposal_events",
    Column("proposal_id", String(80), nullable=False),
    Column("house", String(12), nullable=False, server_default="token"),  # token | contributors
    Column("kind", String(12), nullable=False),  # queued, executed, canceled
    Column("eta", BigInteger),
    indexes=(("proposal_id",),),
)

other_events = _event_table(
    "other_events",
    Column("contract", String(40), nullable=False),
    Column("name", String(60), nullable=False),
    Column("args", Text, nullable=False),  # JSON
    # every read names the contract and the events (the quorum's mints and burns up to a block)
    indexes=(("contract", "name", "block", "log_index"),),
)


# Not events: what the IPFS store said a dataset's manifest holds, keyed by the manifest's digest
# (content-addressed, so a reorg cannot make it wrong). Filled by `index sync` when the store has it.
manifests = Table(
    "manifests", metadata,
    Column("commons", Integer, ForeignKey("commons.id"), primary_key=True),
    Column("digest", String(66), primary_key=True),
    Column("name", Text),
    Column("name_lower", Text),
    Column("description", Text),
    Column("files", Text, nullable=False),  # JSON list of {path, size, sha256, cid}
    Column("commons_code", String(120)),
)
Index("ix_manifests_commons_name_lower", manifests.c.commons, manifests.c.name_lower)

EVENT_TABLES = [t for t in metadata.sorted_tables if "log_index" in t.c]
