"""`commons dapp`: serves the built contributor web app and the small local API a browser
cannot do without: the deployment (addresses + ABIs), dataset and proposal listings read from
events, adding a profile or manifest to the configured IPFS store, relaying a gasless
registration, and a same-origin JSON-RPC proxy to the node (so a page works behind any wallet).

FastAPI under uvicorn, as the gateway: routing, static files and streaming come from the
framework; this module adds what the framework does not decide for us (which Host names and
Origins are ours, which RPC methods are reads, how much a body may hold)."""

import html
import json
import mimetypes
import socket
import threading
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterator

# at module level: FastAPI reads the handlers' annotations from this module's globals
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException
from web3 import Web3

from .chain import artifacts
from .chain.deploy import SUITE
from .chain.transactions import Sender, transact
from .chainreads import ChainReader
from .errors import BlockNotFoundError, NotFoundError, OpenCommonsError
from .ipfs.blocks import budgeted
from .ipfs.cid import Cid, DAG_PB
from .ipfs.content import ContentStore
from .ipfs.directory import entries, is_directory, resolve
from .ipfs.gateway import RAW_BLOCK

CAR_TYPE = "application/vnd.ipld.car"
from .ipfs.store import cat
from .ipfs.unixfs import decode_node
from .queries import present_proposal as proposal_present
from .suite import Commons

if TYPE_CHECKING:
    from .index.api import ExplorerApi

DIST = Path(__file__).resolve().parents[1] / "dapp" / "dist"
MAX_BODY = 1 << 20
# `/rpc` forwards reads only: the node's unlocked accounts must never sign for a web page.
# Transactions and signatures go through the user's own wallet or the relayer endpoints.
READ_METHODS = frozenset({
    "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_syncing",
    "eth_call", "eth_estimateGas", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory",
    "eth_getBalance", "eth_getCode", "eth_getStorageAt", "eth_getTransactionCount", "eth_getLogs",
    "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getTransactionByHash", "eth_getTransactionReceipt",
})


class RequestRefused(OpenCommonsError):
    """A request the dApp server will not serve; carries the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def check_rpc_request(body: bytes) -> None:
    """Refuses any JSON-RPC call (single or batched) whose method is not a read."""
    try:
        request = json.loads(body)
    except ValueError:
        raise RequestRefused(400, "the RPC request is not JSON") from None
    calls = request if isinstance(request, list) else [request]
    for call in calls:
        method = call.get("method") if isinstance(call, dict) else None
        if method not in READ_METHODS:
            raise RequestRefused(403, f"RPC method {method!r} is not forwarded: /rpc serves chain reads "
                                      "only; send transactions and signatures from your wallet")


#: what the relayer pays for, per hour: per account, per client address, and in all
RELAYS_PER_ACCOUNT = 5
RELAYS_PER_CLIENT = 20
RELAYS_PER_HOUR = 500
#: dataset ids one relayed claim may carry (after those with nothing owed are dropped)
MAX_RELAYED_IDS = 64


class RelayBudget:
    """How many relayed transactions an account, a client and everyone together may have had in
    the last hour: the relayer's ETH is not a faucet for a stranger's script."""

    def __init__(self, per_account: int = RELAYS_PER_ACCOUNT, per_client: int = RELAYS_PER_CLIENT,
                 total: int = RELAYS_PER_HOUR) -> None:
        self.limits = {"account": per_account, "client": per_client, "total": total}
        self.spent: dict[tuple[str, str], list[float]] = {}
        self.lock = threading.Lock()

    def spend(self, account: str, client: str) -> None:
        import time

        now = time.monotonic()
        keys = [("account", account.lower()), ("client", client), ("total", "")]
        with self.lock:
            recent = {k: [t for t in self.spent.get(k, []) if now - t < 3600] for k in keys}
            for key in keys:
                if len(recent[key]) >= self.limits[key[0]]:
                    who = {"account": f"account {account}", "client": f"address {client}",
                           "total": "this server"}[key[0]]
                    raise RequestRefused(429, f"the relayer already paid for {self.limits[key[0]]} transactions of "
                                              f"{who} in the last hour: send this one from your wallet")
            for key in keys:
                recent[key].append(now)
                self.spent[key] = recent[key]


class DappServer:
    def __init__(self, commons: Commons, rpc_url: str, store: ContentStore, relayer: Sender,
                 port: int = 8600, dist: Path = DIST, gateway: str | None = None,
                 explorer: "ExplorerApi | None" = None, hosts: list[str] | None = None, bind: str = "127.0.0.1",
                 public_url: str | None = None, wallet_rpc: str | None = None, label: str | None = None,
                 link_hosts: list[str] | None = None, cache: Path | None = None) -> None:
        self.commons, self.rpc_url, self.store, self.relayer, self.dist = commons, rpc_url, store, relayer, dist
        #: the explorer pages' API, answered from the index (None: those pages say there is no index)
        self.explorer = explorer
        from .dapp_publish import DappPublisher

        self.publisher = DappPublisher(commons, store)
        if explorer is not None:
            self.publisher.on_pinned = explorer.indexer.remember_manifest
        self._publishers: dict[str, Any] = {}
        self._others: tuple[float, dict[str, tuple[str, Commons]]] | None = None
        self._taken_down: tuple[int, dict[str, str]] | None = None
        self._page: tuple[int, str] | None = None  # the built index.html: its mtime and text
        #: where the page links content: this server's own verified `/ipfs/` by default, or a
        #: gateway the operator names (a local Kubo node's), never a public one unasked
        self.gateway = gateway or "/ipfs/"
        #: what the page calls this commons, and the RPC URL it offers a wallet that lacks the chain
        self.label = label or commons.deployment.code or "the directly deployed suite"
        self.key = commons.deployment.code or "suite"
        self.wallet_rpc = wallet_rpc or (rpc_url if _loopback(rpc_url) else None)
        self.lock = threading.Lock()
        self.previewing = threading.Lock()
        self.budget = RelayBudget()
        _import_the_library()
        self.closing, self.stopped = threading.Event(), threading.Event()
        self.server: Any = None  # the uvicorn server, once serving
        self.socket = listening_socket(port, bind)  # a port in use fails here, before anything starts
        self.port = int(self.socket.getsockname()[1])
        #: the Host names this server answers to: its loopback names and those the operator adds
        #: (`--host-name`, the host of `--public-url`). A page on another name (a DNS-rebinding
        #: attacker's, resolving to 127.0.0.1) is refused.
        public = urllib.parse.urlsplit(public_url) if public_url else None
        named = [*(hosts or []), *([public.netloc] if public is not None else [])]
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}", f"[::1]:{self.port}",
                      *(h.lower() for h in named)}
        self.origins = {f"http://{h}" for h in self.hosts} | {f"https://{h}" for h in named}
        self.public_url = public_url.rstrip("/") if public_url else f"http://127.0.0.1:{self.port}"
        #: the hosts a dataset's card may link to (`--link-host`); any other link shows as text
        self.link_hosts = tuple(h.lower() for h in link_hosts or ())
        #: where the viewer keeps the verified copies it reads (default: the datasets cache)
        self.cache = cache

    # ------------------------------------------------------------------ which commons
    def others(self) -> dict[str, tuple[str, Commons]]:
        """The other commons of this chain a page may pick, by key: every commons the factory's
        directory lists, and those joined on this machine (read again every 30 s)."""
        import time

        if self._others is not None and time.monotonic() - self._others[0] < 30:
            return self._others[1]
        found: dict[str, tuple[str, Commons]] = {}
        d, w3 = self.commons.deployment, self.commons.w3
        if d.factory:
            from .chain.deploy import Deployment, contract
            from .chain.factory import named

            factory = contract(w3, "CommonsFactory", d.factory["address"]).functions
            for i in range(min(factory.commonsCount().call(), 1000)):
                code, addresses = factory.commonsAt(i).call()
                found[code] = (code, Commons(w3, Deployment(
                    chain_id=d.chain_id, block=int(d.factory.get("block", d.block)), deployer="",
                    addresses=named(addresses), compiler={}, settings={}, factory=d.factory, code=code)))
        from .references import joined

        for record in joined():
            if record.deployment.chain_id == d.chain_id:
                found.setdefault(record.reference.code or f"joined:{record.name}",
                                 (record.name, Commons(w3, record.deployment)))
        found = {k: v for k, v in found.items()
                 if v[1].deployment.addresses.get("DatasetNFT") != d.addresses.get("DatasetNFT")}
        self._others = (time.monotonic(), found)
        return found

    def taken_down(self) -> dict[str, str]:
        """The CIDs (v1 text) of every taken-down dataset's content and manifest in this commons,
        each with why: `/ipfs/` refuses them (read again when the chain has a new block; `commons
        dispute enforce` removes their blocks from the store)."""
        from .actions import SUSPENDED
        from .rights import tombstone

        c = self.commons
        if "DatasetRights" not in c.deployment.addresses:
            return {}  # a commons without one takes nothing down
        head = int(c.w3.eth.block_number)
        cached = getattr(self, "_taken_down", None)
        if cached is not None and cached[0] == head:
            return dict(cached[1])
        events = c.nft.events.DatasetCurated().get_logs(from_block=c.deployment.block)
        found: dict[str, str] = {}
        for dataset_id in sorted({int(e["args"]["datasetId"]) for e in events if int(e["args"]["to"]) == SUSPENDED}):
            reason = tombstone(c, dataset_id)
            if reason is None:
                continue  # reinstated on appeal
            record = c.nft.functions.dataset(dataset_id).call()
            for codec, digest in ((record[1], record[0]), (record[3], record[2])):
                found[str(Cid.from_chain(int(codec), bytes(digest)))] = reason
        self._taken_down = (head, found)
        return found

    def commons_for(self, key: str | None) -> Commons:
        """The commons a request acts on: the one its page picked (`key`), else this server's."""
        if not key or key == self.key:
            return self.commons
        picked = self.others().get(key)
        return picked[1] if picked is not None else self.commons

    def publisher_for(self, commons: Commons) -> Any:
        if commons is self.commons:
            return self.publisher
        from .dapp_publish import DappPublisher

        key = commons.deployment.addresses["DatasetNFT"]
        if key not in self._publishers:
            self._publishers[key] = DappPublisher(commons, self.store)
        return self._publishers[key]

    def config(self, commons: Commons | None = None) -> dict[str, Any]:
        from .present import chain_name

        commons = commons or self.commons
        d = commons.deployment
        tokens = self.tokens(commons)
        access = {"registry": commons.access_list("ContributorRegistry"),
                  "vault": commons.access_list("RoyaltyVault")}
        others = self.others()
        nft = d.addresses.get("DatasetNFT")
        current, label = next(((k, name) for k, (name, c) in others.items()
                               if c.deployment.addresses.get("DatasetNFT") == nft), (self.key, self.label))
        choices = [{"key": self.key, "label": self.label, "indexed": self.explorer is not None}] + [
            {"key": k, "label": name, "indexed": False} for k, (name, _) in sorted(others.items())]
        from .references import reference_of

        return {"chainId": d.chain_id, "chainName": chain_name(d.chain_id), "commons": label, "commonsKey": current,
                "reference": str(reference_of(d)),
                "choices": choices, "walletRpc": self.wallet_rpc, "addresses": d.addresses,
                "gateway": self.gateway, "tokens": tokens, "tokenUnits": self._token_units(commons, tokens),
                "accessLists": access}

    #: the page's stand-in for its config, replaced by the config itself when this server sends it
    CONFIG_PRELOAD = '<link rel="preload" href="/api/config" as="fetch" crossorigin="anonymous" />'

    def app_page(self, commons: Commons | None = None) -> str | None:
        """The built app's page with the commons' config in it (what `/api/config` answers), so a
        page starts without asking for it; None when the app is not built. The config names other
        people's commons: written as JSON a `</script>` inside cannot end."""
        index = self.dist / "index.html"
        try:
            stamp = index.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        if self._page is None or self._page[0] != stamp:
            self._page = (stamp, index.read_text(encoding="utf-8"))
        text = json.dumps(self.config(commons)).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return self._page[1].replace(self.CONFIG_PRELOAD,
                                     f'<script type="application/json" id="opencommons-config">{text}</script>', 1)

    @staticmethod
    def _token_units(commons: Commons, tokens: list[str]) -> dict[str, dict[str, Any]]:
        """Each listed ERC-20's decimals and symbol, read once per server: a page shows amounts in
        them without a contract of its own. A token that does not answer is left to the page."""
        from .queries import NATIVE

        units = {}
        for token in (t for t in tokens if t != NATIVE):
            try:
                decimals, symbol = commons.token_units(token)
            except Exception:  # noqa: BLE001 - a token's contract is not this server's to trust
                continue
            units[token] = {"decimals": decimals, "symbol": symbol}
        return units

    def abis(self, commons: Commons | None = None) -> dict[str, Any]:
        """The ABI of each contract of the commons, and every custom error among them: ~250 KB of
        JSON that only a page building a contract needs (not part of the config every page reads)."""
        names = [*SUITE, *(n for n in (commons or self.commons).deployment.addresses if n not in SUITE)]  # houses, charter
        abis = {name: artifacts.load(name).abi for name in names}
        return {"abis": abis, "errors": [item for abi in abis.values() for item in abi if item.get("type") == "error"]}

    def tokens(self, commons: Commons | None = None) -> list[str]:
        """ETH and every ERC-20 the vault allow-lists now."""
        return self.reader(commons).listed_tokens()  # type: ignore[no-any-return]

    def reader(self, commons: Commons | None = None) -> Any:
        """The explorer's index when it follows this commons and has read up to the chain's head,
        else the chain itself."""
        from .index.source import lag_note

        commons = commons or self.commons
        if commons is self.commons and self.explorer is not None and lag_note(commons, self.explorer.explorer) is None:
            return self.explorer.explorer
        return ChainReader(commons)

    def datasets(self, offset: int = 0, limit: int = 20, commons: Commons | None = None) -> dict[str, Any]:
        """One page of datasets, newest first, each with its record, attestation count, name,
        commons code and the licence on sale (`licenceOffer`: a visitor's wallet page reads nothing
        from the chain); a burnt id is left out. A page, so the wallet page stays fast however many
        datasets there are; its rows read together from the index."""
        commons = commons or self.commons
        reader = self.reader(commons)
        total, ids = reader.newest(max(0, offset), max(1, min(limit, 100)))
        items = reader.dataset_views(ids)
        ids = [int(view["id"]) for view in items]
        offers = reader.licence_offers(ids)
        counts = (reader.attestation_counts(ids) if hasattr(reader, "attestation_counts")
                  else {str(i): self._attestation_count(commons, i) for i in ids})
        for view in items:
            view["attestations"] = counts[view["id"]]
            view["licenceOffer"] = offers[view["id"]]
            view.update(self._manifest_fields(view["manifest"], view["commons"]))
        return {"total": total, "offset": offset, "items": items}

    def _manifest(self, view: dict[str, Any]) -> dict[str, Any]:
        from .ml.download import read_manifest

        return read_manifest(self.store, Cid.parse(view["manifest"]))

    def card(self, dataset_id: int, commons: Commons | None = None) -> dict[str, Any]:
        """A dataset's card (its README, sanitised), downloads and snippets, for its page."""
        from .pages import card_view

        view = self.reader(commons or self.commons).dataset_view(dataset_id)
        return card_view(self.store, view, self._manifest(view), self.link_hosts)

    def dataset_page(self, dataset_id: int, language: str = "en") -> str:
        """The dataset's page for people and search engines (`/datasets/ID`), this commons' only."""
        from . import present
        from .ipfs.store import read_document
        from .pages import dataset_page

        view = self.reader(self.commons).dataset_view(dataset_id)
        manifest = self._manifest(view)
        croissant = None
        if manifest.get("croissant"):
            try:
                found = read_document(self.store, Cid.parse(str(manifest["croissant"])), "Croissant document")
                croissant = found if isinstance(found, dict) else None
            except (OpenCommonsError, ValueError):
                croissant = None  # not in this store: the page goes without its JSON-LD
        code = manifest.get("commons") if isinstance(manifest.get("commons"), str) else None
        shown = {**view, "commonsText": present.commons_text(code, str(view["commons"])),
                 "publishedText": present.when(int(view["publishedAt"])),
                 "contributorsText": ", ".join(present.short_address(c["account"]) for c in view["contributors"])}
        return dataset_page(self.store, shown, manifest, croissant, self.public_url, self.link_hosts, language)

    def preview(self, dataset_id: int, what: str, record_set: str | None = None, offset: int = 0, limit: int = 20,
                search: str = "", commons: Commons | None = None) -> dict[str, Any]:
        """A public dataset's rows (`what` "rows": one page, searchable) or columns (`what`
        "columns": type, missing share, distinct values, top values or histogram), read from a
        copy of its content verified against the chain's record."""
        from .ml import preview
        from .ml.download import Resolved
        from .ml.tables import verified_copy

        view = self.reader(commons or self.commons).dataset_view(dataset_id)
        preview.check_size(self._manifest(view))
        resolved = Resolved(Cid.parse(view["content"]), Cid.parse(view["manifest"]), dataset_id, view)
        with self.previewing:  # one download of a dataset at a time; the next request finds it complete
            local = verified_copy(self.store, resolved, self.cache)
        if what == "rows":
            return preview.rows(local, record_set, offset, limit, search)
        return preview.columns(local, record_set)

    def sitemap(self) -> str:
        """The sitemap of this commons' datasets' pages (those not rejected or retired)."""
        from .pages import sitemap

        reader = self.reader(self.commons)
        rows = reader.list_datasets()
        return sitemap(self.public_url, dict.fromkeys(int(r["id"]) for r in rows
                                                      if r.get("status") in ("Proposed", "Accepted")))

    def _attestation_count(self, commons: Commons, dataset_id: int) -> int:
        logs = commons.attestations.events.DatasetAttested().get_logs(
            from_block=commons.deployment.block, argument_filters={"datasetId": dataset_id})
        return len(logs)

    def _manifest_fields(self, manifest: str, commons_hash: str) -> dict[str, str]:
        from .names import manifest_names

        found = manifest_names(self.store, manifest, commons_hash)
        return {"name": found.get("name", "(manifest not in this store)"), "commonsCode": found.get("commonsCode", "?")}

    def licence_chain(self, dataset_id: int, commons: Commons | None = None) -> list[dict[str, Any]]:
        """The dataset's licence and terms and every ancestor's, in the CLI's words."""
        from .licensing.documents import chain_of

        commons = commons or self.commons
        reader = self.reader(commons)
        found = chain_of(commons, self.store, dataset_id, reader=None if isinstance(reader, ChainReader) else reader)
        if not found:
            raise OpenCommonsError(f"dataset {dataset_id} does not exist in this commons (or was burnt)")
        return found

    def training(self, model_id: int, commons: Commons | None = None) -> dict[str, Any] | None:
        """A model's training record as its page shows it (`model_view`); None for a dataset that
        is no model, told from its manifest (found through the index) before anything else is read."""
        from .ml.training import model_view

        commons = commons or self.commons
        reader = self.reader(commons)
        views = reader.dataset_views([model_id])
        try:
            if not views or not self._manifest(views[0]).get("trainingRun"):
                return None
        except OpenCommonsError:  # its manifest is not at hand here: no log to show either
            return None
        return model_view(commons, self.store, model_id, reader.listed_tokens())

    def trained_into(self, dataset_id: int, commons: Commons | None = None) -> list[dict[str, Any]]:
        """The models trained on the dataset, with its share, what it pulled and can pull, and the
        proof of its weight (checked on-chain by whoever sends the pull: a wrong one reverts)."""
        from .ml.training import models_of_dataset

        commons = commons or self.commons
        reader = self.reader(commons)
        found = models_of_dataset(commons, self.store, dataset_id, reader.listed_tokens(), with_proof=True,
                                  records=reader.training_records())
        return [{**m, "weight": str(m.get("weight", "")), "totalWeight": str(m.get("totalWeight", "")),
                 "pulled": {t: str(v) for t, v in m.get("pulled", {}).items()},
                 "pending": {t: str(v) for t, v in m.get("pending", {}).items()}} for m in found]

    def prepare_terms(self, body: Any, commons: Commons | None = None) -> dict[str, Any]:
        """The terms document a page's offer binds: a preset filled in with the page's words (or the
        document the dataset was published with, when no preset is named), checked along the
        lineage and pinned here. The page's request is hostile: only a preset's name and short
        texts are taken from it, never a document."""
        from . import actions
        from .licensing import documents, odrl
        from .queries import parse_dataset_id

        commons = commons or self.commons
        if not isinstance(body, dict):
            raise OpenCommonsError("bad request: expected a JSON object")
        dataset_id = parse_dataset_id(str(body.get("dataset", "")))
        if not commons.nft.functions.exists(dataset_id).call():
            raise OpenCommonsError(f"dataset {dataset_id} does not exist in this commons (or was burnt)")
        words = {k: body.get(k) or None for k in ("preset", "attribution", "community")}
        bad = [k for k, v in words.items() if v is not None and (not isinstance(v, str) or len(v) > 200)]
        if bad:
            raise OpenCommonsError(f"bad request: {bad[0]} must be a text of at most 200 characters")
        document = None
        if words["preset"] is not None:
            terms = odrl.preset(str(words["preset"]), attribution=words["attribution"], community=words["community"])
            document = odrl.to_document(documents.bind(commons, dataset_id, terms))
        prepared = actions.prepare_terms(commons, self.store, self.store, dataset_id, document)
        notes = [str(f) for f in prepared.findings if f.level == "note"]
        if prepared.terms is None:
            return {"digest": "0x" + "00" * 32, "cid": None, "summary": [], "published": False, "notes": notes}
        return {"digest": "0x" + prepared.digest.hex(), "cid": str(prepared.cid),
                "summary": odrl.summary(prepared.terms), "published": prepared.published, "notes": notes}

    def proposals(self, commons: Commons | None = None) -> list[dict[str, Any]]:
        commons = commons or self.commons
        reader = self.reader(commons)
        head = commons.w3.eth.block_number
        out = []
        for row in reader.list_proposals(head):
            view = proposal_present(commons, reader.proposal_facts(int(row["id"]), head))
            view["description"] = row["description"]
            view["houses"] = row.get("houses", "token")  # where it was made (issue 37): where one votes
            out.append(view)
        return out

    def relay_register(self, body: dict[str, Any], client: str = "", commons: Commons | None = None) -> dict[str, Any]:
        commons = commons or self.commons
        account = Web3.to_checksum_address(body["account"])
        if commons.registry.functions.isRegistered(account).call():
            raise OpenCommonsError(f"{account} is registered already: nothing relayed")
        fn = commons.registry.functions.registerWithSig(
            account, bytes.fromhex(body["profileDigest"][2:]),
            int(body["profileCodec"]), bytes.fromhex(body["community"][2:]), int(body["deadline"]),
            bytes.fromhex(body["signature"][2:]))
        return self._relay(account, client, fn)

    def relay_vote(self, body: dict[str, Any], client: str = "", commons: Commons | None = None) -> dict[str, Any]:
        voter = Web3.to_checksum_address(body["voter"])
        fn = (commons or self.commons).governor.functions.castVoteBySig(
            int(body["proposalId"]), int(body["support"]), voter, bytes.fromhex(body["signature"][2:]))
        return self._relay(voter, client, fn)

    def relay_claim(self, body: dict[str, Any], client: str = "", commons: Commons | None = None) -> dict[str, Any]:
        """A contributor without ETH for gas: the relayer calls the vault's `claimFor`, which pays
        only `account` itself, so no signature is needed. Only the datasets and tokens on which
        something is owed are relayed (a claim padded with unrelated ids costs the relayer
        nothing), and nothing when nothing is owed."""
        account = Web3.to_checksum_address(body["account"])
        ids = list(dict.fromkeys(int(d) for d in body["datasetIds"]))[:4 * MAX_RELAYED_IDS]
        tokens = list(dict.fromkeys(Web3.to_checksum_address(t) for t in body["tokens"]))[:8]
        vault = (commons or self.commons).vault.functions
        owed = [(d, t) for d in ids for t in tokens if vault.claimable(d, t, account).call()]
        if not owed:
            raise OpenCommonsError(f"{account} has nothing to claim from these datasets: nothing relayed")
        owed_ids = list(dict.fromkeys(d for d, _ in owed))[:MAX_RELAYED_IDS]
        owed_tokens = list(dict.fromkeys(t for _, t in owed))
        return self._relay(account, client, vault.claimFor(account, owed_ids, owed_tokens))

    def _relay(self, account: str, client: str, fn: Any) -> dict[str, Any]:
        # counted before sending; a call that would revert fails its gas estimate and costs nothing
        self.budget.spend(account, client)
        with self.lock:
            receipt = transact(self.commons.w3, self.relayer, fn)
        return {"tx": receipt["transactionHash"].to_0x_hex(), "gasUsed": receipt["gasUsed"]}

    def serve_forever(self) -> None:
        """Serves until :meth:`shutdown` (or Ctrl-C when run in the main thread)."""
        import uvicorn

        # log_config=None: uvicorn's default runs logging.config.dictConfig, which replaces (and
        # closes) every logging handler of the process, from whatever thread serves; a server
        # embedded in another program (a test run, an SDK user's) leaves its logging alone
        self.server = uvicorn.Server(uvicorn.Config(create_app(self), log_level="warning", lifespan="off",
                                                   server_header=False, log_config=None))
        try:
            if not self.closing.is_set():
                self.server.run(sockets=[self.socket])
        finally:
            self.stopped.set()

    def shutdown(self) -> None:
        self.closing.set()
        if self.server is not None:
            self.server.should_exit = True
            self.stopped.wait(10)
        self.socket.close()
        for publisher in (self.publisher, *self._publishers.values()):
            publisher.close()
        if self.explorer is not None:
            self.explorer.stop()


def _import_the_library() -> None:
    """Imports every module of the library (not the CLI) before the first request: the handlers
    import lazily, and two worker threads importing the same module for the first time at once
    (a page asks for its card, models and training record together) can hand one of them the
    half-initialised module ("cannot import name 'model_view'"). About 0.4 s, once; the heavy
    third-party packages stay lazy."""
    import importlib
    import pkgutil

    from . import __path__ as package

    for found in pkgutil.walk_packages(package, "opencommons."):
        if not found.name.startswith(("opencommons.cli", "opencommons.__main__")):
            importlib.import_module(found.name)


def _loopback(url: str) -> bool:
    return (urllib.parse.urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def listening_socket(port: int, bind: str = "127.0.0.1") -> socket.socket:
    """A socket listening on `bind`:`port` (0: any free port); connections wait in its backlog
    until the server starts accepting them."""
    sock = socket.socket(socket.AF_INET6 if ":" in bind else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((bind, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def check_host(server: "DappServer", request: Request) -> None:
    """Only the Host names this server was told it has (DNS rebinding: a stranger's page whose
    name resolves to 127.0.0.1 reaches this server with its own Host, and is refused)."""
    host = (request.headers.get("host") or "").strip().lower()
    if host not in server.hosts:
        raise RequestRefused(421, f"this server does not answer to the host {host!r}: open it as "
                                  f"http://127.0.0.1:{server.port}/ (or name the host with --host-name)")


def check_origin(server: "DappServer", request: Request) -> None:
    """State-changing requests come from this app's own pages (or from no browser at all): a
    foreign Origin is refused, and only `application/json` bodies are read, which a foreign page
    cannot send without a CORS preflight this server never answers."""
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() not in server.origins:
        raise RequestRefused(403, f"requests from origin {origin!r} are refused: use the dApp served here")
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise RequestRefused(415, f"Content-Type must be application/json, not {kind or 'none'!r}")


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request's body, refused past `limit` bytes whether or not it declared its length."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise RequestRefused(413, f"request body too large ({int(declared)} bytes, at most {limit})")
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise RequestRefused(413, f"request body too large (more than {limit} bytes)")
        parts.append(part)
    return b"".join(parts)


async def read_json(request: Request, limit: int = MAX_BODY) -> Any:
    try:
        return json.loads(await read_body(request, limit))
    except ValueError as exc:
        raise RequestRefused(400, f"bad request: the body is not JSON ({exc})") from None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(server: "DappServer") -> FastAPI:
    """The dApp server's HTTP surface over `server` (its state and actions)."""
    app = FastAPI(title="OpenCommons dApp", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            check_host(server, request)
            if request.method == "POST":
                check_origin(server, request)
        except RequestRefused as exc:
            return _error(exc.status, str(exc))
        return await call_next(request)

    @app.exception_handler(RequestRefused)
    async def refused(_request: Request, exc: RequestRefused) -> JSONResponse:
        return _error(exc.status, str(exc))

    @app.exception_handler(BlockNotFoundError)
    async def not_found(_request: Request, exc: BlockNotFoundError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(OpenCommonsError)
    async def failed(_request: Request, exc: OpenCommonsError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(ValueError)
    async def bad_value(_request: Request, exc: ValueError) -> JSONResponse:
        return _error(400, f"bad request: {exc}")

    @app.exception_handler(KeyError)
    async def missing_key(_request: Request, exc: KeyError) -> JSONResponse:
        return _error(400, f"bad request: {exc}")

    @app.exception_handler(HTTPException)
    async def no_route(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, f"no such endpoint {request.method} {request.url.path}")

    def picked(request: Request) -> Commons:
        """The commons the page picked (its `commons` cookie), else this server's own."""
        picked = request.cookies.get("commons")
        return server.commons_for(urllib.parse.unquote(picked) if picked else None)

    @app.get("/api/config")
    def config(request: Request) -> dict[str, Any]:
        return server.config(picked(request))

    @app.get("/api/abis")
    def abis(request: Request) -> dict[str, Any]:
        return server.abis(picked(request))

    @app.get("/api/proposals")
    def proposals(request: Request) -> list[dict[str, Any]]:
        return server.proposals(picked(request))

    @app.get("/api/datasets")
    def datasets(request: Request, offset: str = "0", limit: str = "20") -> dict[str, Any]:
        bad = [(k, v) for k, v in (("offset", offset), ("limit", limit)) if not v.isdigit()]
        if bad:
            raise OpenCommonsError(f"{bad[0][0]} must be a whole number, not {bad[0][1]!r}")
        return server.datasets(int(offset), int(limit), picked(request))

    @app.get("/api/licence/{dataset}")
    def licence(dataset: str, request: Request) -> list[dict[str, Any]]:
        from .queries import parse_dataset_id

        return server.licence_chain(parse_dataset_id(dataset), picked(request))

    @app.get("/api/card/{dataset}")
    def card(dataset: str, request: Request) -> dict[str, Any]:
        from .queries import parse_dataset_id

        return server.card(parse_dataset_id(dataset), picked(request))

    @app.get("/api/preview/{dataset}/{what}")
    def preview(dataset: str, what: str, request: Request, set: str | None = None, offset: str = "0",
                limit: str = "20", q: str = "") -> dict[str, Any]:
        from .queries import parse_dataset_id

        if what not in ("rows", "columns"):
            raise OpenCommonsError(f"preview {what!r}: ask for rows or columns")
        bad = [(k, v) for k, v in (("offset", offset), ("limit", limit)) if not v.isdigit()]
        if bad:
            raise OpenCommonsError(f"{bad[0][0]} must be a whole number, not {bad[0][1]!r}")
        return server.preview(parse_dataset_id(dataset), what, set, int(offset), int(limit), q[:200], picked(request))

    @app.get("/datasets/{dataset}")
    def dataset_page(dataset: str, request: Request, lang: str | None = None) -> Response:
        from .queries import parse_dataset_id
        from .pages import PAGE_CSP, pick_language

        from .pages import missing_page

        language = pick_language(lang, request.headers.get("accept-language"))
        status = 200
        try:
            page = server.dataset_page(parse_dataset_id(dataset), language)
        except OpenCommonsError as exc:  # a stale or mistyped link: a page that says so, not JSON
            status, page = (404 if isinstance(exc, NotFoundError) else 400), missing_page(str(exc), language)
        return Response(page.encode(), status_code=status, headers={
            "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": PAGE_CSP,
            "X-Content-Type-Options": "nosniff", "Content-Language": language, "Vary": "Accept-Language"})

    @app.get("/sitemap.xml")
    def sitemap() -> Response:
        return Response(server.sitemap().encode(), media_type="application/xml")

    @app.get("/robots.txt")
    def robots() -> Response:
        return Response(f"User-agent: *\nAllow: /\nSitemap: {server.public_url}/sitemap.xml\n".encode(),
                        media_type="text/plain")

    @app.get("/api/trained/{dataset}")
    def trained(dataset: str, request: Request) -> list[dict[str, Any]]:
        from .queries import parse_dataset_id

        return server.trained_into(parse_dataset_id(dataset), picked(request))

    @app.get("/api/training/{model}")
    def training_record(model: str, request: Request) -> Any:
        from .queries import parse_dataset_id

        return server.training(parse_dataset_id(model), picked(request))

    @app.get("/api/terms/presets")
    def presets() -> list[dict[str, Any]]:
        from .licensing.odrl import PRESETS

        return [{"name": p.name, "title": p.title, "summary": p.summary, "needs": list(p.needs)}
                for p in PRESETS.values()]

    @app.post("/api/terms/prepare")
    async def prepare_terms(request: Request) -> Any:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(server.prepare_terms, await read_json(request), picked(request))

    @app.get("/api/explorer/{path:path}")
    def explorer(path: str, request: Request) -> Any:
        if server.explorer is None:
            return _error(503, "this dApp server runs without an index (started with --no-index)")
        if picked(request) is not server.commons:
            return _error(503, f"the explorer follows {server.label} only: pick it to explore (the wallet page "
                               "works for every commons)")
        query = f"?{request.url.query}" if request.url.query else ""
        try:
            return server.explorer.get(path + query)
        except NotFoundError as exc:
            return _error(404, str(exc))

    @app.get("/ipfs/{path:path}")
    def content(path: str, request: Request) -> Response:
        where = "/ipfs/" + path
        try:
            root = str(Cid.parse(path.split("/", 1)[0]).to_v1())
        except (OpenCommonsError, ValueError):
            root = ""  # not a CID: resolving it below says so
        if root in server.taken_down():
            return _error(451, f"{server.taken_down()[root]}: it is not served")
        if request.query_params.get("format") == "raw" or request.headers.get("accept") == RAW_BLOCK:
            return raw_block(server, where)
        if request.query_params.get("format") == "car" or request.headers.get("accept") == CAR_TYPE:
            return car_response(server, where)
        return content_response(server, where)

    @app.post("/rpc")
    async def rpc(request: Request) -> Response:
        body = await read_body(request)
        check_rpc_request(body)
        return Response(forward_rpc(server.rpc_url, body), media_type="application/json")

    @app.post("/api/ipfs/add")
    async def ipfs_add(request: Request) -> dict[str, Any]:
        body = await read_body(request)
        try:
            json.loads(body)  # profiles and manifests are JSON documents
        except ValueError as exc:
            raise RequestRefused(400, f"bad request: the body is not JSON ({exc})") from None
        cid = server.store.add_bytes(body, 1)
        return {"cid": str(cid), "digest": "0x" + cid.digest.hex(), "codec": cid.codec}

    relays = {"register": server.relay_register, "vote": server.relay_vote, "claim": server.relay_claim}

    @app.post("/api/relay/{kind}")
    async def relay(kind: str, request: Request) -> Any:
        if kind not in relays:
            return _error(404, f"no such endpoint POST /api/relay/{kind}")
        body = await read_json(request)
        client = request.client.host if request.client else ""
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(relays[kind], body, client, picked(request))

    @app.post("/api/publish/prepare")
    async def prepare(request: Request) -> Any:
        from starlette.concurrency import run_in_threadpool

        from .dapp_publish import MAX_UPLOAD

        return await run_in_threadpool(server.publisher_for(picked(request)).prepare,
                                       await read_json(request, MAX_UPLOAD))

    @app.post("/api/publish/pin")
    async def pin(request: Request) -> Any:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(server.publisher_for(picked(request)).pin, await read_json(request))

    @app.get("/{path:path}")
    def static(path: str, request: Request) -> Response:
        """The built app: a file of it, or its page for any other path (the page routes itself),
        with the picked commons' config in it."""
        root = server.dist.resolve()
        target = (root / path).resolve()
        if path.startswith("assets/") or ("." in path.rsplit("/", 1)[-1] and not path.endswith(".html")):
            if not (target.is_relative_to(root) and target.is_file()):  # a file the app does not have
                return _error(404, f"no such file /{path} in the dApp")
        if not (target.is_relative_to(root) and target.is_file()) or target == root / "index.html":
            page = server.app_page(picked(request))
            if page is None:
                return _error(404, "the dApp is not built: run `make dapp`")
            return Response(page, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
        return FileResponse(target, media_type=mimetypes.guess_type(target.name)[0] or "application/octet-stream")

    return app


def forward_rpc(rpc_url: str, body: bytes) -> bytes:
    request = urllib.request.Request(rpc_url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return bytes(reply.read())


def sandboxed(kind: str, length: int) -> dict[str, str]:
    """Headers of content from the store: sandboxed (CSP `sandbox`, `nosniff`), so a dataset's
    HTML cannot run script with this origin's API."""
    return {"Content-Type": kind, "Content-Length": str(length), "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff"}


def content_response(server: "DappServer", path: str) -> Response:
    """`/ipfs/CID[/path]` from the configured store, every block verified as it is sent; a
    directory as a list of links."""
    cid = resolve(server.store, path)
    block = server.store.get_block(cid)
    node = decode_node(block) if cid.codec == DAG_PB else None
    if node is not None and is_directory(node):
        base = path.rstrip("/")
        items = "".join(
            f'<li><a href="{html.escape(base + "/" + urllib.parse.quote(n))}">{html.escape(n)}</a></li>'
            for n in sorted(name for name, _ in entries(server.store, cid, node)))
        page = f"<!doctype html><title>{html.escape(path)}</title><ul>{items}</ul>".encode()
        return Response(page, headers=sandboxed("text/html; charset=utf-8", len(page)))
    size = len(block) if node is None else node.filesize or len(node.data)
    parts = cat(budgeted(server.store, what=f"serving {path}"), cid)
    first = next(parts, b"")  # the first block verified before anything is sent

    def rest() -> Iterator[bytes]:
        yield first
        try:
            yield from parts
        except OpenCommonsError:
            return  # a bad block ends the response short of its declared length

    return StreamingResponse(rest(), headers=sandboxed(mimetypes.guess_type(path)[0] or "application/octet-stream",
                                                       size))


def car_response(server: "DappServer", path: str) -> Response:
    """The whole DAG under `/ipfs/CID` as a CAR v1 (`?format=car`, as a trustless gateway serves
    it): every block re-hashed as it is read here, and again by whoever imports it."""
    from .ipfs.car import car_stream

    cid = resolve(server.store, path)
    name = f"{cid}.car"
    return StreamingResponse(car_stream(budgeted(server.store, what=f"exporting {path}"), [cid]),
                             headers={"Content-Type": CAR_TYPE, "X-Content-Type-Options": "nosniff",
                                      "Content-Disposition": f'attachment; filename="{name}"'})


def raw_block(server: "DappServer", path: str) -> Response:
    """One block as a trustless gateway serves it (`?format=raw` or `Accept:
    application/vnd.ipld.raw`): the client re-hashes it, so nothing here must be trusted."""
    cid = resolve(server.store, path)
    block = server.store.get_block(cid)
    return Response(block, headers=sandboxed(RAW_BLOCK, len(block)))
