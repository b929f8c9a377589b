"""Following a deployment's events into the index: bounded log windows, resumable, reorg-safe.

Each window of blocks is read with one ``eth_getLogs`` over every contract of the suite and written
in one transaction together with the new cursor, so a crash loses at most the window in flight and
the next run resumes from the cursor. The window halves whenever the provider refuses a range (and
grows back after a run of successes). The hashes of the last `reorg_depth` blocks are kept; when the
chain's hash for the newest kept block no longer matches, the index rolls back to the highest block
both agree on and reads on from there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from ..chain.deploy import Deployment
from ..errors import ChainIndexError, IndexDatabaseError, ReorgTooDeepError
from . import schema as s
from .events import decode_log
from .ingest import NEEDS_TIMESTAMP, Batch, Where, hex64, ingest

Progress = Callable[["SyncProgress"], None]


@dataclass
class SyncProgress:
    block: int  # the last block read
    head: int
    events: int  # written in this window
    window: int
    rolled_back_to: int | None = None


class RangeRefusedError(ChainIndexError):
    """The provider would not serve logs for a range this wide."""


#: events after which a sync has the database gather its planner's statistics again
ANALYZE_AFTER = 5_000


class Indexer:
    """Syncs one deployment (by its DatasetNFT address and chain id) into the index at `engine`."""

    def __init__(self, engine: Engine, w3: Any, deployment: Deployment, code: str | None = None,
                 window: int = 2_000, max_window: int = 10_000, reorg_depth: int = 64,
                 progress: Progress | None = None, store: Any = None) -> None:
        self.engine, self.w3, self.deployment = engine, w3, deployment
        self.store = store  # an IPFS ContentStore to read manifests from (names, files), or None
        self.window, self.max_window = max(1, window), max(window, max_window)
        self.reorg_depth = reorg_depth
        self.progress = progress
        self.by_address = {addr.lower(): name for name, addr in deployment.addresses.items()}
        self.commons_id = self._register(code)
        self._good_windows = 0
        self._unanalyzed = 0  # events written since the database last gathered its planner's statistics

    # ------------------------------------------------------------------ setup
    def _register(self, code: str | None) -> int:
        nft = self.deployment.addresses["DatasetNFT"].lower()
        with self.engine.begin() as conn:
            found = conn.execute(select(s.commons.c.id).where(s.commons.c.chain_id == self.deployment.chain_id,
                                                              s.commons.c.nft == nft)).scalar()
            if found is not None:
                if code:
                    conn.execute(update(s.commons).where(s.commons.c.id == found).values(code=code))
                return int(found)
            key = conn.execute(s.commons.insert().values(
                chain_id=self.deployment.chain_id, nft=nft, code=code, deploy_block=self.deployment.block,
                addresses=json.dumps(self.deployment.addresses, sort_keys=True))).inserted_primary_key
            assert key is not None
            new_id = key[0]
            conn.execute(s.sync_state.insert().values(commons=new_id, next_block=self.deployment.block, events=0))
            return int(new_id)

    def next_block(self, conn: Connection | None = None) -> int:
        query = select(s.sync_state.c.next_block).where(s.sync_state.c.commons == self.commons_id)
        if conn is not None:
            return int(conn.execute(query).scalar_one())
        with self.engine.connect() as c:
            return int(c.execute(query).scalar_one())

    # ------------------------------------------------------------------ RPC
    def _rpc(self, method: str, params: list[Any]) -> Any:
        response = self.w3.provider.make_request(method, params)
        if "error" in response:
            raise ChainIndexError(f"{method} failed: {response['error']}")
        return response["result"]

    def _logs(self, start: int, end: int) -> list[dict[str, Any]]:
        addresses = list(self.by_address)
        try:
            response = self.w3.provider.make_request(
                "eth_getLogs", [{"address": addresses, "fromBlock": hex(start), "toBlock": hex(end)}])
        except Exception as exc:  # noqa: BLE001 - HTTP 413/5xx, timeouts: a range too costly for the provider
            raise RangeRefusedError(f"eth_getLogs {start}-{end}: {type(exc).__name__}: {exc}") from exc
        if "error" in response:
            raise RangeRefusedError(f"eth_getLogs {start}-{end}: {response['error']}")
        return list(response["result"])

    def _headers(self, numbers: list[int]) -> dict[int, dict[str, Any]]:
        """Block headers by number, fetched in batches."""
        found: dict[int, dict[str, Any]] = {}
        for i in range(0, len(numbers), 500):
            chunk = numbers[i:i + 500]
            requests = [("eth_getBlockByNumber", [hex(n), False]) for n in chunk]
            responses = self.w3.provider.make_batch_request(requests)
            if not isinstance(responses, list):
                raise ChainIndexError(f"the node refused a batch request: {responses.get('error')}")
            for n, response in zip(chunk, responses):
                if response.get("result") is not None:
                    found[n] = response["result"]
        return found

    # ------------------------------------------------------------------ reorgs
    def _check_reorg(self) -> int | None:
        """None when the newest kept block is still on the chain; else the block rolled back to."""
        with self.engine.connect() as conn:
            kept = conn.execute(select(s.blocks.c.number, s.blocks.c.hash).where(s.blocks.c.commons == self.commons_id)
                                .order_by(s.blocks.c.number.desc())).all()
        if not kept:
            return None
        top_number, top_hash = kept[0]
        headers = self._headers([int(top_number)])
        if top_number in headers and headers[top_number]["hash"] == top_hash:
            return None
        chain = self._headers([int(n) for n, _ in kept])
        fork = next((int(n) for n, h in kept if n in chain and chain[n]["hash"] == h), None)
        if fork is None:
            raise ReorgTooDeepError(
                f"the chain reorganised below block {kept[-1][0]}, deeper than the {len(kept)} blocks the index "
                f"keeps: delete the index (or its database) and run `commons index sync` again")
        self._roll_back(fork)
        return fork

    def _roll_back(self, fork: int) -> None:
        with self.engine.begin() as conn:
            for table in s.EVENT_TABLES:
                conn.execute(delete(table).where(table.c.commons == self.commons_id, table.c.block > fork))
            conn.execute(delete(s.blocks).where(s.blocks.c.commons == self.commons_id, s.blocks.c.number > fork))
            conn.execute(update(s.sync_state).where(s.sync_state.c.commons == self.commons_id)
                         .values(next_block=fork + 1))

    # ------------------------------------------------------------------ sync
    def head(self) -> int:
        return int(self._rpc("eth_blockNumber", []), 16)

    def sync(self, to_block: int | None = None) -> int:
        """Read up to `to_block` (default: the head); returns the number of events written. After
        many events the database gathers its statistics (ANALYZE; PostgreSQL's VACUUM too): without
        them SQLite walks a commons' whole table in block order rather than look a dataset up by its
        index."""
        written = self._sync(to_block)
        self._unanalyzed += written
        if self._unanalyzed >= ANALYZE_AFTER:
            if self.engine.dialect.name == "postgresql":
                # VACUUM too: it marks the new rows visible to all, so that a count can be answered
                # from an index alone (a licence's 33,000 datasets: 4 ms instead of a 50 ms table scan)
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM (ANALYZE)")
            else:
                with self.engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
            self._unanalyzed = 0
        return written

    def _sync(self, to_block: int | None) -> int:
        written = 0
        while True:
            rolled = self._check_reorg()
            if rolled is not None and self.progress:
                self.progress(SyncProgress(rolled, self.head(), 0, self.window, rolled_back_to=rolled))
            head = self.head() if to_block is None else to_block
            start = self.next_block()
            if start > head:
                return written
            end = min(head, start + self.window - 1)
            try:
                logs = self._logs(start, end)
            except RangeRefusedError:
                if self.window == 1:
                    raise
                self.window = max(1, self.window // 2)
                self._good_windows = 0
                continue
            count = self._write(start, end, head, logs)
            if count is None:
                continue  # the chain moved under the window: check for a reorg and read it again
            written += count
            self._good_windows += 1
            if self._good_windows >= 4 and self.window < self.max_window:
                self.window, self._good_windows = min(self.max_window, self.window * 2), 0
            if self.progress:
                self.progress(SyncProgress(end, head, count, self.window))

    def _write(self, start: int, end: int, head: int, logs: list[dict[str, Any]]) -> int | None:
        decoded = []
        stamped: set[int] = set()
        for log in logs:
            contract = self.by_address.get(str(log["address"]).lower())
            if contract is None or log.get("removed"):
                continue
            topics = [bytes.fromhex(t[2:]) for t in log["topics"]]
            event = decode_log(contract, topics, bytes.fromhex(str(log["data"])[2:]))
            if event is None:
                continue
            number = int(log["blockNumber"], 16)
            if (contract, event[0]) in NEEDS_TIMESTAMP:
                stamped.add(number)
            decoded.append((contract, event, number, int(log["logIndex"], 16), str(log["transactionHash"]),
                            str(log["blockHash"])))
        keep_from = head - self.reorg_depth
        tracked = {n for n in {end} | {d[2] for d in decoded} if n > keep_from or n == end}
        headers = self._headers(sorted(stamped | tracked))
        hashes = {d[2]: d[5] for d in decoded}
        for number in stamped | tracked:
            header = headers.get(number)
            if header is None or (number in hashes and header["hash"] != hashes[number]):
                return None
        manifests = self._manifests(decoded)
        with self.engine.begin() as conn:
            if self.next_block(conn) != start:
                raise ChainIndexError("another process is syncing this index: stop it first (one writer at a time)")
            batch = Batch(conn, self.commons_id)
            batch.prefetch({hex64(args["datasetId"]) for _, (_, args), *_ in decoded if "datasetId" in args})
            batch.prefetch_contributors({hex64(args["datasetId"]) for contract, (name, args), *_ in decoded
                                         if (contract, name) == ("RoyaltyVault", "RoyaltyPaid")})
            for contract, (name, args), number, log_index, tx, _ in decoded:
                timestamp = int(headers[number]["timestamp"], 16) if number in stamped else None
                ingest(batch, contract, name, args, Where(self.commons_id, number, log_index, tx, timestamp))
            batch.write()
            rows = [{"commons": self.commons_id, "number": n, "hash": headers[n]["hash"],
                     "timestamp": int(headers[n]["timestamp"], 16)} for n in sorted(tracked)]
            conn.execute(delete(s.blocks).where(s.blocks.c.commons == self.commons_id,
                                                s.blocks.c.number.in_([r["number"] for r in rows])))
            conn.execute(s.blocks.insert(), rows)
            conn.execute(delete(s.blocks).where(s.blocks.c.commons == self.commons_id,
                                                s.blocks.c.number <= keep_from, s.blocks.c.number < end))
            conn.execute(update(s.sync_state).where(s.sync_state.c.commons == self.commons_id)
                         .values(next_block=end + 1, events=s.sync_state.c.events + batch.count))
            if manifests:
                known = {d for (d,) in conn.execute(select(s.manifests.c.digest).where(
                    s.manifests.c.commons == self.commons_id, s.manifests.c.digest.in_(list(manifests))))}
                rows = [row for digest, row in manifests.items() if digest not in known]
                if rows:
                    conn.execute(s.manifests.insert(), rows)
            return batch.count

    def _manifests(self, decoded: list[Any]) -> dict[str, dict[str, Any]]:
        """The manifests of the datasets published in this window that the store holds (verified
        as the store reads them: every block against its CID), as rows."""
        if self.store is None:
            return {}
        from ..errors import OpenCommonsError
        from ..ipfs.cid import Cid

        rows: dict[str, dict[str, Any]] = {}
        for contract, (name, args), *_ in decoded:
            if (contract, name) != ("DatasetNFT", "DatasetPublished"):
                continue
            p = args["params"]
            digest = "0x" + bytes(p["manifestDigest"]).hex()
            try:
                manifest = json.loads(b"".join(self.store.cat(Cid.from_chain(p["manifestCodec"],
                                                                             bytes(p["manifestDigest"])))))
            except (OpenCommonsError, ValueError):
                continue  # not in this store (or not JSON): the dataset is indexed without its name
            if isinstance(manifest, dict):
                rows[digest] = self._manifest_row(digest, manifest)
        return rows

    def _manifest_row(self, digest: str, manifest: dict[str, Any]) -> dict[str, Any]:
        title = manifest.get("name") if isinstance(manifest.get("name"), str) else None
        files = [f for f in manifest.get("files", []) if isinstance(f, dict)]
        code = manifest.get("commons") if isinstance(manifest.get("commons"), str) else None
        description = manifest.get("description") if isinstance(manifest.get("description"), str) else None
        # every language's name is searched: the default one, then the others a line each
        names = [n for n in (manifest.get("names") or {}).values() if isinstance(n, str)] \
            if isinstance(manifest.get("names"), dict) else []
        searched = "\n".join([title or "", *names]).lower() if title or names else None
        return {"commons": self.commons_id, "digest": digest, "name": title, "name_lower": searched,
                "description": description, "files": json.dumps(files), "commons_code": code}

    def remember_manifest(self, cid: Any) -> bool:
        """Indexes the manifest at `cid` from the store now (a manifest pinned after its dataset's
        event was read, as an announcing store is); False when the store lacks it."""
        from ..errors import OpenCommonsError

        try:
            manifest = json.loads(b"".join(self.store.cat(cid)))
        except (OpenCommonsError, ValueError, AttributeError):
            return False
        if not isinstance(manifest, dict):
            return False
        digest = "0x" + cid.digest.hex()
        with self.engine.begin() as conn:
            found = conn.execute(select(s.manifests.c.digest).where(s.manifests.c.commons == self.commons_id,
                                                                    s.manifests.c.digest == digest)).first()
            if found is None:
                conn.execute(s.manifests.insert(), [self._manifest_row(digest, manifest)])
        return True

    def follow(self, poll: float = 1.0, stop: Callable[[], bool] = lambda: False) -> None:
        """Sync, then keep syncing new blocks every `poll` seconds until `stop()`. A SQLite file
        deleted meanwhile stops it (its open connections would go on writing to the deleted file)."""
        from .database import exists

        url = self.engine.url.render_as_string(hide_password=False)
        while not stop():
            if not exists(url):
                raise IndexDatabaseError(f"the index database {self.engine.url.database} was deleted while "
                                         "following: run `commons index sync` again to rebuild it")
            self.sync()
            time.sleep(poll)
