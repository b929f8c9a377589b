"""Answers from the index, in exactly the shapes `opencommons.queries` gives from the chain.

State that changes is the latest event of its kind: a dataset id's status is its latest curation in
its current generation (Proposed when none; None once burnt), its owner the latest NFT transfer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Engine, Select, and_, cast, func, literal_column, select, tuple_
from web3 import Web3

from ..errors import OpenCommonsError
from ..ipfs.cid import Cid
from ..present import DATASET_STATUS
from ..queries import missing_dataset
from . import schema as s
from .ingest import ZERO, combine, hex64

STATUS = DATASET_STATUS


def _cid(codec: int, digest: str) -> str:
    return str(Cid.from_chain(int(codec), bytes.fromhex(digest[2:])))


#: a row's (block, log_index): both integer columns, ints from either database (a C getter: the
#: contributor page sorts and compares ~2,000 rows by it, 4 ms of Python as a function)
_pos = attrgetter("block", "log_index")
#: a payment's (block, log_index) in the ledger's tuples
_first_two = itemgetter(0, 1)


def _tuples(conn: Any, query: Any) -> list[Any]:
    """The rows of `query` as the driver's plain tuples, skipping SQLAlchemy's row objects (a
    person's ~2,000 payments: 2 ms less). Only for columns the driver already returns as Python
    wants them: integers and strings on SQLite and psycopg."""
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _offer(row: Any) -> dict[str, Any]:
    """A `license_terms` row (None: no terms) in `queries.licence_offer`'s shape."""
    if row is None:
        return {"token": ZERO, "price": "0", "duration": 0, "active": False, "terms": "0x" + "00" * 32}
    return {"token": row.token, "price": str(int(row.price)), "duration": int(row.duration), "active": bool(row.active),
            "terms": row.terms_digest}


#: a row's (block, log_index) as one integer that orders like the pair (a block's logs number far
#: fewer than 2^20)
_POSITION = 1 << 20


class Earning(NamedTuple):
    """One dataset's earnings in one token for one contributor, in integers."""

    dataset: str  # the id as the index keys it (hex64)
    token: str
    share_bps: int
    claimed: int
    claimable: int


def earning_row(entry: Earning) -> dict[str, Any]:
    """An `Earning` as `opencommons.queries` answers it (ids and amounts as decimal strings)."""
    return {"dataset": str(int(entry.dataset, 16)), "token": entry.token, "shareBps": entry.share_bps,
            "claimed": str(entry.claimed), "claimable": str(entry.claimable),
            "earned": str(entry.claimed + entry.claimable)}


class IndexReader:
    """Reads about one deployment (`commons_id`) of the index at `engine`."""

    def __init__(self, engine: Engine, commons_id: int) -> None:
        self.engine, self.commons_id = engine, commons_id

    @classmethod
    def find(cls, engine: Engine, chain_id: int, nft: str) -> "IndexReader | None":
        with engine.connect() as conn:
            found = conn.execute(select(s.commons.c.id).where(s.commons.c.chain_id == chain_id,
                                                              s.commons.c.nft == nft.lower())).scalar()
        return None if found is None else cls(engine, int(found))

    def next_block(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(s.sync_state.c.next_block)
                                    .where(s.sync_state.c.commons == self.commons_id)).scalar_one())

    def top_block(self) -> tuple[int, str] | None:
        """The newest block the index keeps a hash for (to check it is still the chain's)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(s.blocks.c.number, s.blocks.c.hash).where(s.blocks.c.commons == self.commons_id)
                               .order_by(s.blocks.c.number.desc()).limit(1)).first()
        return None if row is None else (int(row[0]), str(row[1]))

    # ------------------------------------------------------------------ datasets
    def _current(self, conn: Any, ids: "list[str] | Select[Any]", owners: bool = True) -> dict[str, dict[str, Any]]:
        """Per dataset id: its latest publication row, its generation, whether it still exists,
        status, owner (skipped unless `owners`). `ids` is a list, or a query of ids (read in one pass)."""
        c, d = self.commons_id, s.datasets
        out: dict[str, dict[str, Any]] = {}
        chunks = [ids] if isinstance(ids, Select) else [ids[i:i + 500] for i in range(0, len(ids), 500)]
        for chunk in chunks:
            rows = conn.execute(select(d).where(d.c.commons == c, d.c.dataset.in_(chunk))).all()
            for row in sorted(rows, key=_pos):  # sorted here: an ORDER BY walks the whole table in SQLite
                out[row.dataset] = {"row": row, "generation": row.generation, "at": _pos(row), "exists": True,
                                    "status": 1, "owner": ZERO}
            for dataset, block, log_index in _tuples(conn, select(s.burns.c.dataset, s.burns.c.block,
                                                                  s.burns.c.log_index)
                                                     .where(s.burns.c.commons == c, s.burns.c.dataset.in_(chunk))):
                entry = out.get(dataset)
                if entry and (block, log_index) > entry["at"]:
                    entry["exists"], entry["status"] = False, 0
            cu = s.curations
            for dataset, generation, to_status in _tuples(conn, select(cu.c.dataset, cu.c.generation, cu.c.to_status)
                                                          .where(cu.c.commons == c, cu.c.dataset.in_(chunk))
                                                          .order_by(cu.c.block, cu.c.log_index)):
                entry = out.get(dataset)
                if entry and entry["exists"] and generation == entry["generation"]:
                    entry["status"] = int(to_status)
            if not owners:
                continue
            tr = s.transfers
            for dataset, recipient in _tuples(conn, select(tr.c.dataset, tr.c.recipient)
                                              .where(tr.c.commons == c, tr.c.dataset.in_(chunk))
                                              .order_by(tr.c.block, tr.c.log_index)):
                if dataset in out:
                    out[dataset]["owner"] = recipient
        return out

    def list_datasets(self, commons_code: str | None = None, contributor: str | None = None,
                      license_id: str | None = None) -> list[dict[str, Any]]:
        d = s.datasets
        query = select(d).where(d.c.commons == self.commons_id)
        if commons_code:
            query = query.where(d.c.commons_hash == "0x" + bytes(Web3.keccak(text=commons_code)).hex())
        if license_id:
            query = query.where(func.lower(d.c.license) == license_id.lower())
        if contributor:
            dc = s.dataset_contributors
            query = query.where(tuple_(d.c.block, d.c.log_index).in_(
                select(dc.c.block, dc.c.log_index).where(dc.c.commons == self.commons_id,
                                                         func.lower(dc.c.account) == contributor.lower())))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(d.c.block, d.c.log_index)).all()
            current = self._current(conn, sorted({r.dataset for r in rows}))
        return [{"id": str(int(r.dataset, 16)), "content": _cid(r.content_codec, r.content_digest),
                 "manifest": _cid(r.manifest_codec, r.manifest_digest), "license": r.license,
                 "status": STATUS[current[r.dataset]["status"]], "publisher": r.publisher, "block": int(r.block),
                 "previousVersion": str(int(r.previous_version, 16)) if r.previous_version else None} for r in rows]

    def newest(self, offset: int, limit: int) -> tuple[int, list[int]]:
        """How many publications `list_datasets` lists, and the ids of `limit` of them from
        `offset`, newest first: one page read, not the whole list (550 ms at 10,000 datasets)."""
        d = s.datasets
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(d).where(d.c.commons == self.commons_id)).scalar_one()
            ids = [int(k, 16) for (k,) in conn.execute(
                select(d.c.dataset).where(d.c.commons == self.commons_id)
                .order_by(d.c.block.desc(), d.c.log_index.desc()).limit(limit).offset(offset))]
        return int(total), ids

    def _contributors(self, conn: Any, row: Any) -> list[dict[str, Any]]:
        return self._contributors_of(conn, [row])[_pos(row)]

    def _contributors_of(self, conn: Any, rows: "list[Any]") -> dict[tuple[int, int], list[dict[str, Any]]]:
        """Each publication's contributors in their order, by its (block, log_index): one query."""
        dc = s.dataset_contributors
        out: dict[tuple[int, int], list[dict[str, Any]]] = {_pos(r): [] for r in rows}
        if out:
            for block, log_index, account, share, _ in sorted(_tuples(conn, select(
                    dc.c.block, dc.c.log_index, dc.c.account, dc.c.share_bps, dc.c.position).where(
                    dc.c.commons == self.commons_id, tuple_(dc.c.block, dc.c.log_index).in_(list(out)))),
                    key=itemgetter(0, 1, 4)):
                out[(block, log_index)].append({"account": account, "shareBps": int(share)})
        return out

    def _parents_of(self, conn: Any, rows: "list[Any]") -> dict[tuple[int, int], list[str]]:
        """Each publication's parents in their order, by its (block, log_index): one query."""
        ln = s.lineage
        out: dict[tuple[int, int], list[str]] = {_pos(r): [] for r in rows}
        if out:
            for block, log_index, parent, _ in sorted(_tuples(conn, select(
                    ln.c.block, ln.c.log_index, ln.c.parent, ln.c.position).where(
                    ln.c.commons == self.commons_id, tuple_(ln.c.block, ln.c.log_index).in_(list(out)))),
                    key=itemgetter(0, 1, 3)):
                out[(block, log_index)].append(parent)
        return out

    def exists(self, dataset_id: int) -> bool:
        with self.engine.connect() as conn:
            entry = self._current(conn, [hex64(dataset_id)]).get(hex64(dataset_id))
        return bool(entry and entry["exists"])

    def contributors_of(self, dataset_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            entry = self._current(conn, [hex64(dataset_id)]).get(hex64(dataset_id))
            return self._contributors(conn, entry["row"]) if entry and entry["exists"] else []

    def _versions(self, conn: Any, dataset: str, row: Any) -> tuple[str | None, str | None]:
        """(previous, next) version ids as the contract links them: a burn of either end unlinks."""
        return self._versions_of(conn, {dataset: row})[dataset]

    def _versions_of(self, conn: Any, rows: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
        """`_versions` of each dataset (its key -> its publication row), read together."""
        d, b = s.datasets, s.burns
        burns: dict[str, list[tuple[int, int]]] = defaultdict(list)
        # sorted here: most datasets have no previous version, so statistics make SQLite's planner walk
        # the commons' datasets in block order rather than use the index
        candidates: dict[str, list[Any]] = defaultdict(list)
        for r in sorted(conn.execute(select(d).where(d.c.commons == self.commons_id,
                                                     d.c.previous_version.in_(list(rows)))).all(), key=_pos):
            candidates[r.previous_version].append(r)
        ids = {x for key, row in rows.items() for x in (row.previous_version, *(r.dataset for r in candidates[key])) if x}
        if ids:
            for dataset, block, log_index in _tuples(conn, select(b.c.dataset, b.c.block, b.c.log_index).where(
                    b.c.commons == self.commons_id, b.c.dataset.in_(sorted(ids)))):
                burns[dataset].append((block, log_index))
        out: dict[str, tuple[str | None, str | None]] = {}
        for key, row in rows.items():
            previous = row.previous_version
            if previous and any(p > _pos(row) for p in burns[previous]):
                previous = None
            following = None
            for r in candidates[key]:
                if _pos(r) > _pos(row) and not any(p > _pos(r) for p in burns[r.dataset]):
                    following = r.dataset
            out[key] = (previous, following)
        return out

    def dataset_view(self, dataset_id: int) -> dict[str, Any]:
        key = hex64(dataset_id)
        with self.engine.connect() as conn:
            current, views = self._views(conn, [key])
        if not views:
            raise missing_dataset(dataset_id, burnt=key in current)
        return views[0]

    def dataset_views(self, dataset_ids: list[int]) -> list[dict[str, Any]]:
        """`dataset_view` of each of the ids that exists (a burnt one is left out), in their order:
        a page of rows read in a few queries, not eight per row."""
        with self.engine.connect() as conn:
            return self._views(conn, [hex64(i) for i in dataset_ids])[1]

    def _views(self, conn: Any, keys: list[str]) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
        current = self._current(conn, keys)
        rows = {k: current[k]["row"] for k in keys if k in current and current[k]["exists"]}
        versions = self._versions_of(conn, rows)
        contributors = self._contributors_of(conn, list(rows.values()))
        parents = self._parents_of(conn, list(rows.values()))
        views = []
        for key, row in rows.items():
            previous, following = versions[key]
            manifest = Cid.from_chain(int(row.manifest_codec), bytes.fromhex(row.manifest_digest[2:]))
            views.append({
                "id": str(int(key, 16)), "content": _cid(row.content_codec, row.content_digest), "manifest": str(manifest),
                "license": row.license, "commons": row.commons_hash, "status": STATUS[current[key]["status"]],
                "ancestorBps": int(row.ancestor_bps), "depth": int(row.depth),
                "contributorCount": int(row.contributor_count), "publishedAt": int(row.published_at),
                "owner": current[key]["owner"], "previousVersion": str(int(previous, 16)) if previous else None,
                "nextVersion": str(int(following, 16)) if following else None,
                "parents": [str(int(p, 16)) for p in parents[_pos(row)]], "contributors": contributors[_pos(row)],
                "tokenURI": "ipfs://" + manifest.encode("base32"),
            })
        return current, views

    def licence_offers(self, dataset_ids: list[int]) -> dict[str, dict[str, Any]]:
        """The licence on sale for each dataset's current generation, as `LicenseManager.termsOf`
        answers it (by id): the latest terms its owner set since it was last published; none
        (inactive, zero) before any. Read together for a page of rows."""
        keys = [hex64(i) for i in dataset_ids]
        lt = s.license_terms
        latest: dict[str, Any] = {}
        with self.engine.connect() as conn:
            current = self._current(conn, keys, owners=False)
            for r in conn.execute(select(lt).where(lt.c.commons == self.commons_id, lt.c.dataset.in_(keys))):
                entry = current.get(r.dataset)
                if entry and entry["exists"] and _pos(r) > entry["at"] and (
                        r.dataset not in latest or _pos(r) > _pos(latest[r.dataset])):
                    latest[r.dataset] = r
        return {str(int(k, 16)): _offer(latest.get(k)) for k in keys}

    def lineage(self, dataset_id: int, depth: int = 32) -> dict[str, Any]:
        """The dataset, its ancestors (parents of parents...) and descendants, as nested nodes.
        Each level of the walk is read in one batch of queries, however wide it is."""
        with self.engine.connect() as conn:
            return self._lineage(conn, dataset_id, depth)[0]

    def _lineage(self, conn: Any, dataset_id: int, depth: int) -> "tuple[dict[str, Any], _Graph]":
        """`lineage`, and the walk's graph (the state of every dataset it met) on `conn`."""
        graph = _Graph(self, conn)
        key = hex64(dataset_id)
        graph.load([key])
        entry = graph.info.get(key)
        if not entry or not entry["exists"]:
            raise OpenCommonsError(f"dataset {dataset_id} does not exist")
        graph.prefetch(key, "parents", depth)
        graph.prefetch(key, "children", depth)

        def node(key: str, direction: str, level: int, seen: frozenset[str]) -> dict[str, Any]:
            entry = graph.info.get(key)
            out: dict[str, Any] = {"id": str(int(key, 16))}
            if not entry or not entry["exists"]:
                out["status"] = "None"
                return out
            out.update(license=entry["row"].license, status=STATUS[entry["status"]])
            if level >= depth or key in seen:
                return out
            out[direction] = [node(k, direction, level + 1, seen | {key})
                              for k in graph.step(direction, [key])[key]]
            return out

        up = node(key, "parents", 0, frozenset())
        down = node(key, "children", 0, frozenset())
        return {**up, "children": down.get("children", [])}, graph

    def _children(self, conn: Any, key: str) -> list[str]:
        return _Graph(self, conn).step("children", [key])[key]

    # ------------------------------------------------------------------ royalties
    def _generation(self, conn: Any, key: str) -> int:
        latest = conn.execute(select(func.max(s.burns.c.generation)).where(s.burns.c.commons == self.commons_id,
                                                                            s.burns.c.dataset == key)).scalar()
        return int(latest or 0)

    def _pool(self, conn: Any, key: str, generation: int, token: str) -> int:
        p = s.payments
        row = conn.execute(select(p.c.earned_per_bps).where(
            p.c.commons == self.commons_id, p.c.dataset == key, p.c.generation == generation, p.c.token == token)
            .order_by(p.c.block.desc(), p.c.log_index.desc()).limit(1)).first()
        return int(row[0]) if row else 0

    def _checkpoint(self, conn: Any, key: str, generation: int, token: str, account: str) -> int:
        rc = s.royalty_claims
        row = conn.execute(select(rc.c.earned_per_bps).where(
            rc.c.commons == self.commons_id, rc.c.dataset == key, rc.c.generation == generation, rc.c.token == token,
            rc.c.account == account).order_by(rc.c.block.desc(), rc.c.log_index.desc()).limit(1)).first()
        return int(row[0]) if row else 0

    def _share(self, conn: Any, key: str, account: str) -> int:
        entry = self._current(conn, [key]).get(key)
        if not entry or not entry["exists"] or entry["status"] in (3, 5):  # Rejected or taken down: nothing to claim
            return 0
        return next((c["shareBps"] for c in self._contributors(conn, entry["row"])
                     if c["account"].lower() == account.lower()), 0)

    def claimable(self, dataset_id: int, token: str, account: str) -> int:
        key = hex64(dataset_id)
        with self.engine.connect() as conn:
            generation = self._generation(conn, key)
            share = self._share(conn, key, account)
            return share * (self._pool(conn, key, generation, token)
                            - self._checkpoint(conn, key, generation, token, account))

    def pending_for_parents(self, dataset_id: int, token: str) -> int:
        key = hex64(dataset_id)
        p, st = s.payments, s.settlements
        with self.engine.connect() as conn:
            generation = self._generation(conn, key)
            shares = conn.execute(select(p.c.ancestor_share).where(p.c.commons == self.commons_id, p.c.dataset == key,
                                                                   p.c.generation == generation, p.c.token == token))
            settled = conn.execute(select(st.c.amount).where(st.c.commons == self.commons_id, st.c.dataset == key,
                                                             st.c.generation == generation, st.c.token == token))
            return sum(int(a) for (a,) in shares) - sum(int(a) for (a,) in settled)

    def earnings(self, account: str) -> list[dict[str, Any]]:
        """Per dataset the account contributes to and per token paid to it: earned, claimed, claimable.
        Set-based: a handful of queries however many datasets the account is in."""
        return [earning_row(entry) for entry in self.ledger(account)[0]]

    def ledger(self, account: str, points: int = 100) -> tuple[list[Earning], dict[str, list[list[Any]]]]:
        """`earnings(account)` as `Earning` tuples of integers (a page formats only the rows it
        shows), and per token what the account earned over time: running totals after every
        `stride`-th payment that credited it something (at most `points` per token, the last one
        always), as (time, decimal string) pairs. Both are added up by the database from the
        account's credits (`schema.credits`): one row per pool read for the rows, at most `points`
        per token for the series, however many payments there were."""
        dc, rc, b, cu, cr = s.dataset_contributors, s.royalty_claims, s.burns, s.curations, s.credits
        c = self.commons_id
        in_mine = select(dc.c.dataset).where(dc.c.commons == c, dc.c.account == account)
        # a limb's sum stays below 2^63 (see `schema.LIMB_BITS`): as BIGINT, PostgreSQL answers ints, not Decimals
        sums = [cast(func.sum(cr.c[limb]), BigInteger) for limb in s.LIMBS]
        with self.engine.connect() as conn:
            mine = _tuples(conn, select(dc.c.dataset, dc.c.generation, dc.c.share_bps)
                           .where(dc.c.commons == c, dc.c.account == account).order_by(dc.c.block, dc.c.log_index))
            # an id's generation is 0, then the one its latest burn names: a publication in it is the
            # id's current one, and a burn moves the id on (no read of the publications themselves)
            # (the commons' burns are few: each looked up in the person's datasets, not the other way)
            burnt = _tuples(conn, select(b.c.dataset, func.max(b.c.generation)).where(
                b.c.commons == c, select(dc.c.dataset).where(dc.c.commons == c, dc.c.account == account,
                                                             dc.c.dataset == b.c.dataset).exists())
                            .group_by(b.c.dataset))
            generation: dict[str, int] = dict(burnt)
            # in no order: sorted here (an ORDER BY made SQLite walk every curation of the commons)
            curated = _tuples(conn, select(cu.c.block, cu.c.log_index, cu.c.dataset, cu.c.generation, cu.c.to_status)
                              .where(cu.c.commons == c, cu.c.dataset.in_(in_mine)))
            curated.sort(key=_first_two)
            claimed_rows = _tuples(conn, select(rc.c.block, rc.c.log_index, rc.c.dataset, rc.c.generation, rc.c.token,
                                                rc.c.earned_per_bps, rc.c.amount)
                                   .where(rc.c.commons == c, rc.c.account == account))
            mine_credits = and_(cr.c.commons == c, cr.c.account == account)
            # each pool the account was credited from: its first payment's position and the credits' sum
            pools = _tuples(conn, select(cr.c.dataset, cr.c.generation, cr.c.token,
                                         func.min(cr.c.block * _POSITION + cr.c.log_index), func.max(cr.c.n), *sums)
                            .where(mine_credits).group_by(cr.c.dataset, cr.c.generation, cr.c.token))
            # a burnt id's earlier generations earn nothing now: their pools and credits are left out
            current_of = generation.get
            stale = {(dataset, gen) for dataset, gen, _ in mine if gen != current_of(dataset, 0)} if burnt else set()
            pools = [pool for pool in pools if (pool[0], pool[1]) not in stale] if stale else pools
            tops: dict[str, int] = {}  # per token the latest `n` of a credit counted
            for _, _, token, _, top, *_ in pools:
                if top is not None and top > tops.get(token, 0):
                    tops[token] = top
            counted = and_(mine_credits, cr.c.n.is_not(None),
                           *([tuple_(cr.c.dataset, cr.c.generation).not_in(sorted(stale))] if stale else []))
            series: dict[str, list[list[Any]]] = {}
            for token, top in sorted(tops.items()):
                stride: Any = literal_column(str(-(-int(top) // points)))  # an integer of ours
                stretch = (cr.c.n - 1).self_group().op("/")(stride).label("stretch")
                total, kept = 0, []
                for at, *parts in _tuples(conn, select(func.max(cr.c.at), *sums).where(counted, cr.c.token == token)
                                          .group_by(stretch).order_by(stretch)):
                    total += combine(parts)
                    kept.append([int(at), str(total)])
                series[token] = kept
        # the share in the current publication (none: not in it), and each dataset's place: the order
        # the account first appears in them (without a burn each dataset has one publication, one row)
        if burnt:
            share_now: dict[str, int] = {}
            for dataset, gen, bps in mine:
                if gen == current_of(dataset, 0):
                    share_now[dataset] = bps
            place = {dataset: i for i, dataset in enumerate(dict.fromkeys(row[0] for row in mine))}
        else:
            share_now = {dataset: bps for dataset, _, bps in mine}
            place = {dataset: i for i, dataset in enumerate(share_now)}
        status: dict[str, int] = {}  # the latest curation in the current generation (Proposed when none)
        for _, _, dataset, gen, to_status in curated:
            if gen == current_of(dataset, 0):
                status[dataset] = int(to_status)
        claims: dict[tuple[str, str], tuple[tuple[int, int], int, int]] = {}
        for block, log_index, dataset, gen, token, per_bps, amount in claimed_rows:
            if current_of(dataset, 0) != gen:
                continue
            key, at = (dataset, token), (block, log_index)
            latest, checkpoint, total = claims.get(key, ((-1, -1), 0, 0))
            if at > latest:
                latest, checkpoint = at, int(per_bps)
            claims[key] = (latest, checkpoint, total + int(amount))
        share_of = share_now.get
        current = [(place[dataset], first, dataset, token, share_of(dataset, 0), e0, e1, e2, e3)
                   for dataset, _, token, first, _, e0, e1, e2, e3 in pools if share_of(dataset, 0)]
        current.sort()
        rows: list[Earning] = []
        for _, _, dataset, token, share, *parts in current:
            earned = combine(parts)
            _, checkpoint, claimed = claims.get((dataset, token), ((-1, -1), 0, 0))
            # what the pool credited the account (its share of the accumulator) less what it claimed up
            # to its checkpoint; Rejected or taken down: frozen (or forfeited), as on-chain
            claimable = 0 if status.get(dataset) in (3, 5) else earned - share * checkpoint
            rows.append(Earning(dataset, token, share, claimed, claimable))
        return rows, series

    # ------------------------------------------------------------------ governance
    def proposal_facts(self, proposal_id: int, head: int) -> dict[str, Any]:
        from .governance import proposal_facts

        return proposal_facts(self.engine, self.commons_id, proposal_id, head)

    def list_proposals(self, head: int) -> list[dict[str, Any]]:
        from .governance import proposal_list

        return proposal_list(self.engine, self.commons_id, head)

    # ------------------------------------------------------------------ the vault's other events
    def _vault_events(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        """(block, args) of every `name` event of the vault, in order."""
        o = s.other_events
        with self.engine.connect() as conn:
            rows = _tuples(conn, select(o.c.block, o.c.log_index, o.c.args).where(
                o.c.commons == self.commons_id, o.c.contract == "RoyaltyVault", o.c.name == name))
        rows.sort(key=_first_two)
        return [(int(block), json.loads(args)) for block, _, args in rows]

    def listed_tokens(self) -> list[str]:
        """`queries.listed_tokens` from the index: ETH and every ERC-20 the vault allow-lists now."""
        from ..queries import allowed_tokens

        return allowed_tokens((a["token"], bool(a["allowed"])) for _, a in self._vault_events("TokenAllowed"))

    def training_records(self) -> list[dict[str, Any]]:
        """`ml.training.models` from the index: each model's latest training record."""
        from ..ml.training import latest_records

        return latest_records((a["modelId"], a["generation"], bytes.fromhex(a["root"][2:]), a["totalWeight"], block)
                              for block, a in self._vault_events("TrainingRecordSet"))

    # ------------------------------------------------------------------ contributors
    def contributor(self, account: str) -> dict[str, Any]:
        """contributorOf(account) as the registry returns it: the fold of its events."""
        ce = s.contributor_events
        record: dict[str, Any] = {"digest": None, "codec": 0, "community": "0x" + "00" * 32, "registeredAt": 0,
                                  "active": False}
        with self.engine.connect() as conn:
            for row in conn.execute(select(ce).where(ce.c.commons == self.commons_id, ce.c.account == account)
                                    .order_by(ce.c.block, ce.c.log_index)):
                if row.kind == "deactivated":
                    record["active"] = False
                    continue
                record.update(digest=row.profile_digest, codec=int(row.profile_codec), community=row.community)
                if row.kind == "registered":
                    record.update(registeredAt=int(row.registered_at), active=True)
        return record

    def is_verified(self, account: str, claim_type: str, now: int) -> bool:
        cl = s.claims
        with self.engine.connect() as conn:
            row = conn.execute(select(cl).where(cl.c.commons == self.commons_id, cl.c.account == account,
                                                cl.c.claim_type == claim_type)
                               .order_by(cl.c.block.desc(), cl.c.log_index.desc()).limit(1)).first()
        if row is None or row.revoked or not self.contributor(account)["active"]:
            return False
        return now < int(row.expires_at)

    # ------------------------------------------------------------------ the whole commons
    def stats(self) -> dict[str, Any]:
        c = self.commons_id
        with self.engine.connect() as conn:
            keys = [k for (k,) in conn.execute(select(s.datasets.c.dataset).where(s.datasets.c.commons == c)
                                               .group_by(s.datasets.c.dataset))]
            current = self._current(conn, keys)
            by_status: dict[str, int] = defaultdict(int)
            for entry in current.values():
                if entry["exists"]:
                    by_status[STATUS[entry["status"]]] += 1
            ce = s.contributor_events
            accounts = {a for (a,) in conn.execute(select(ce.c.account).where(ce.c.commons == c,
                                                                              ce.c.kind == "registered"))}
            paid: dict[str, int] = defaultdict(int)
            count_payments = 0
            for token, amount, payer in conn.execute(select(s.payments.c.token, s.payments.c.amount, s.payments.c.payer)
                                                     .where(s.payments.c.commons == c)):
                if payer.lower() != self._vault(conn).lower():  # ancestor credits are not new money
                    paid[token] += int(amount)
                    count_payments += 1
            claimed: dict[str, int] = defaultdict(int)
            for token, amount in conn.execute(select(s.royalty_claims.c.token, s.royalty_claims.c.amount)
                                              .where(s.royalty_claims.c.commons == c)):
                claimed[token] += int(amount)
            licences = conn.execute(select(func.count()).select_from(s.licenses).where(s.licenses.c.commons == c)).scalar()
            proposals = conn.execute(select(func.count(func.distinct(s.proposals.c.proposal_id)))
                                     .where(s.proposals.c.commons == c)).scalar()  # once, in one house or two
        return {"datasets": sum(by_status.values()), "byStatus": dict(sorted(by_status.items())),
                "contributors": len(accounts), "payments": count_payments, "licences": int(licences or 0),
                "proposals": int(proposals or 0), "paid": {t: str(v) for t, v in sorted(paid.items())},
                "claimed": {t: str(v) for t, v in sorted(claimed.items())}}

    def _vault(self, conn: Any) -> str:
        addresses = json.loads(conn.execute(select(s.commons.c.addresses).where(s.commons.c.id == self.commons_id))
                               .scalar_one())
        return str(addresses["RoyaltyVault"])


class _Graph:
    """Lineage read a level at a time: the state of every dataset met, parents per dataset (of its
    current publication) and children (those whose current publication names it as a parent)."""

    def __init__(self, reader: IndexReader, conn: Any) -> None:
        self.reader, self.conn = reader, conn
        self.info: dict[str, dict[str, Any]] = {}
        self.known: set[str] = set()
        self.edges: dict[str, dict[str, list[str]]] = {"parents": {}, "children": {}}

    def load(self, keys: list[str]) -> None:
        missing = sorted(set(keys) - self.known)
        if missing:
            self.info.update(self.reader._current(self.conn, missing, owners=False))
            self.known.update(missing)

    def _live(self, keys: list[str]) -> list[str]:
        self.load(keys)
        return [k for k in keys if k in self.info and self.info[k]["exists"]]

    def _parents_of(self, keys: list[str]) -> dict[str, list[str]]:
        ln = s.lineage
        at = {_pos(self.info[k]["row"]): k for k in self._live(keys)}
        found: dict[str, list[str]] = {k: [] for k in keys}
        positions = list(at)
        for i in range(0, len(positions), 400):
            for block, log_index, parent in self.conn.execute(
                    select(ln.c.block, ln.c.log_index, ln.c.parent)
                    .where(ln.c.commons == self.reader.commons_id,
                           tuple_(ln.c.block, ln.c.log_index).in_(positions[i:i + 400]))
                    .order_by(ln.c.position)):
                found[at[(int(block), int(log_index))]].append(parent)
        return found

    def step(self, direction: str, keys: list[str]) -> dict[str, list[str]]:
        """Parents or children of each of `keys` (read once, then remembered)."""
        cache = self.edges[direction]
        todo = [k for k in dict.fromkeys(keys) if k not in cache]
        if todo and direction == "parents":
            cache.update(self._parents_of(todo))
        elif todo:
            ln = s.lineage
            named: dict[str, list[str]] = {k: [] for k in todo}
            for i in range(0, len(todo), 500):
                for parent, child in self.conn.execute(
                        select(ln.c.parent, ln.c.child).where(ln.c.commons == self.reader.commons_id,
                                                              ln.c.parent.in_(todo[i:i + 500]))
                        .order_by(ln.c.block, ln.c.log_index)):
                    named[parent].append(child)
            candidates = list(dict.fromkeys(c for cs in named.values() for c in cs))
            parents = self.step("parents", candidates)
            for key, children in named.items():
                cache[key] = [c for c in dict.fromkeys(children) if key in parents.get(c, [])]
        return {k: cache[k] for k in keys}

    def prefetch(self, root: str, direction: str, depth: int) -> None:
        """Reads the walk `direction` from `root` down to `depth` levels, one batch per level."""
        frontier, seen = [root], {root}
        for _ in range(depth):
            live = self._live(frontier)
            if not live:
                return
            nexts = self.step(direction, live)
            frontier = [k for ks in nexts.values() for k in ks if k not in seen]
            seen.update(frontier)
            self.load(frontier)
