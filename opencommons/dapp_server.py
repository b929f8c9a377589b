"""`commons dapp`: serves the built contributor web app and the small local API a browser
cannot do without: the deployment (addresses + ABIs), dataset and proposal listings read from
events, adding a profile or manifest to the configured IPFS store, relaying a gasless
registration, and a same-origin JSON-RPC proxy to the node (so a page works behind any wallet)."""

from __future__ import annotations

import html
import json
import mimetypes
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from web3 import Web3

from .chain import artifacts
from .chain.deploy import SUITE
from .chain.transactions import Sender, transact
from .errors import BlockNotFoundError, OpenCommonsError
from .ipfs.blocks import budgeted
from .ipfs.cid import DAG_PB
from .ipfs.content import ContentStore
from .ipfs.directory import entries, is_directory, resolve
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


#: a trustless gateway's media type for one block
RAW_BLOCK = "application/vnd.ipld.raw"
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
                 explorer: "ExplorerApi | None" = None, hosts: list[str] | None = None) -> None:
        self.commons, self.rpc_url, self.store, self.relayer, self.dist = commons, rpc_url, store, relayer, dist
        #: the explorer pages' API, answered from the index (None: those pages say there is no index)
        self.explorer = explorer
        from .dapp_publish import DappPublisher

        self.publisher = DappPublisher(commons, store)
        if explorer is not None:
            self.publisher.on_pinned = explorer.indexer.remember_manifest
        #: where the page links content: this server's own verified `/ipfs/` by default, or a
        #: gateway the operator names (a local Kubo node's), never a public one unasked
        self.gateway = gateway or "/ipfs/"
        self.lock = threading.Lock()
        self.budget = RelayBudget()
        handler = type("Handler", (_Handler,), {"app": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        #: the Host names this server answers to: its loopback names and those the operator adds. A
        #: page on another name (a DNS-rebinding attacker's, resolving to 127.0.0.1) is refused.
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}", f"[::1]:{self.port}",
                      *(h.lower() for h in hosts or [])}
        self.origins = {f"http://{h}" for h in self.hosts} | {f"https://{h}" for h in hosts or []}

    def config(self) -> dict[str, Any]:
        d = self.commons.deployment
        abis = {name: artifacts.load(name).abi for name in SUITE}
        errors = [item for name in SUITE for item in artifacts.load(name).abi if item.get("type") == "error"]
        access = {"registry": self.commons.access_list("ContributorRegistry"),
                  "vault": self.commons.access_list("RoyaltyVault")}
        return {"chainId": d.chain_id, "addresses": d.addresses, "abis": abis, "errors": errors,
                "gateway": self.gateway, "tokens": self.tokens(), "accessLists": access}

    def tokens(self) -> list[str]:
        """ETH and every ERC-20 the vault allow-lists now (from its TokenAllowed events)."""
        allowed: dict[str, bool] = {}
        for log in self.commons.vault.events.TokenAllowed().get_logs(from_block=self.commons.deployment.block):
            allowed[log["args"]["token"]] = log["args"]["allowed"]
        return ["0x0000000000000000000000000000000000000000"] + [t for t, ok in allowed.items() if ok]

    def reader(self) -> Any:
        """The explorer's index when it has read up to the chain's head, else the chain itself."""
        from .chainreads import ChainReader
        from .index.source import lag_note

        if self.explorer is not None and lag_note(self.commons, self.explorer.explorer) is None:
            return self.explorer.explorer
        return ChainReader(self.commons)

    def datasets(self, offset: int = 0, limit: int = 20) -> dict[str, Any]:
        """One page of datasets, newest first, each with its record, attestation count, name and
        commons code (a page, so the wallet page stays fast however many datasets there are)."""
        reader = self.reader()
        listed = reader.list_datasets()[::-1]
        items = []
        for row in listed[max(0, offset):max(0, offset) + max(1, min(limit, 100))]:
            view = reader.dataset_view(int(row["id"]))
            view["attestations"] = (reader.attestation_count(int(row["id"])) if hasattr(reader, "attestation_count")
                                    else self._attestation_count(int(row["id"])))
            view.update(self._manifest_fields(view["manifest"], view["commons"]))
            items.append(view)
        return {"total": len(listed), "offset": offset, "items": items}

    def _attestation_count(self, dataset_id: int) -> int:
        logs = self.commons.attestations.events.DatasetAttested().get_logs(
            from_block=self.commons.deployment.block, argument_filters={"datasetId": dataset_id})
        return len(logs)

    def _manifest_fields(self, manifest: str, commons_hash: str) -> dict[str, str]:
        from .names import manifest_names

        found = manifest_names(self.store, manifest, commons_hash)
        return {"name": found.get("name", "(manifest not in this store)"), "commonsCode": found.get("commonsCode", "?")}

    def proposals(self) -> list[dict[str, Any]]:
        reader = self.reader()
        head = self.commons.w3.eth.block_number
        out = []
        for row in reader.list_proposals(head):
            view = proposal_present(self.commons, reader.proposal_facts(int(row["id"]), head))
            view["description"] = row["description"]
            out.append(view)
        return out

    def relay_register(self, body: dict[str, Any], client: str = "") -> dict[str, Any]:
        account = Web3.to_checksum_address(body["account"])
        if self.commons.registry.functions.isRegistered(account).call():
            raise OpenCommonsError(f"{account} is registered already: nothing relayed")
        fn = self.commons.registry.functions.registerWithSig(
            account, bytes.fromhex(body["profileDigest"][2:]),
            int(body["profileCodec"]), bytes.fromhex(body["community"][2:]), int(body["deadline"]),
            bytes.fromhex(body["signature"][2:]))
        return self._relay(account, client, fn)

    def relay_vote(self, body: dict[str, Any], client: str = "") -> dict[str, Any]:
        voter = Web3.to_checksum_address(body["voter"])
        fn = self.commons.governor.functions.castVoteBySig(
            int(body["proposalId"]), int(body["support"]), voter, bytes.fromhex(body["signature"][2:]))
        return self._relay(voter, client, fn)

    def relay_claim(self, body: dict[str, Any], client: str = "") -> dict[str, Any]:
        """A contributor without ETH for gas: the relayer calls the vault's `claimFor`, which pays
        only `account` itself, so no signature is needed. Only the datasets and tokens on which
        something is owed are relayed (a claim padded with unrelated ids costs the relayer
        nothing), and nothing when nothing is owed."""
        account = Web3.to_checksum_address(body["account"])
        ids = list(dict.fromkeys(int(d) for d in body["datasetIds"]))[:4 * MAX_RELAYED_IDS]
        tokens = list(dict.fromkeys(Web3.to_checksum_address(t) for t in body["tokens"]))[:8]
        vault = self.commons.vault.functions
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
        self.httpd.serve_forever()

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.publisher.close()
        if self.explorer is not None:
            self.explorer.stop()


class _Handler(BaseHTTPRequestHandler):
    app: DappServer

    def log_message(self, *args: Any) -> None:
        pass

    def _json(self, data: Any, status: int = 200) -> None:
        body = json.dumps(data, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self, limit: int = MAX_BODY) -> bytes:
        text = (self.headers.get("Content-Length") or "0").strip()
        if not text.isdigit():
            raise RequestRefused(400, f"Content-Length must be a whole number of bytes, not {text!r}")
        length = int(text)
        if length > limit:
            raise RequestRefused(413, f"request body too large ({length} bytes, at most {limit})")
        return self.rfile.read(length)

    def _check_host(self) -> None:
        """Only the Host names this server was told it has (DNS rebinding: a stranger's page whose
        name resolves to 127.0.0.1 reaches this server with its own Host, and is refused)."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.app.hosts:
            raise RequestRefused(421, f"this server does not answer to the host {host!r}: open it as "
                                      f"http://127.0.0.1:{self.app.port}/ (or name the host with --host-name)")

    def _client(self) -> str:
        return str(self.client_address[0])

    def do_GET(self) -> None:  # noqa: N802
        try:
            self._check_host()
            routes = {"/api/config": self.app.config, "/api/proposals": self.app.proposals}
            if self.path in routes:
                self._json(routes[self.path]())
                return
            route, _, raw = self.path.partition("?")
            if route == "/api/datasets":
                query = {k: v[-1] for k, v in urllib.parse.parse_qs(raw).items()}
                numbers = {k: query.get(k, d) for k, d in (("offset", "0"), ("limit", "20"))}
                bad = [k for k, v in numbers.items() if not v.isdigit()]
                if bad:
                    raise OpenCommonsError(f"{bad[0]} must be a whole number, not {numbers[bad[0]]!r}")
                self._json(self.app.datasets(int(numbers["offset"]), int(numbers["limit"])))
                return
            if self.path.startswith("/api/explorer/"):
                self._explorer(self.path[len("/api/explorer/"):])
                return
            if self.path.startswith("/ipfs/"):
                path, _, params = self.path.partition("?")
                if "format=raw" in params.split("&") or self.headers.get("Accept") == RAW_BLOCK:
                    self._raw_block(urllib.parse.unquote(path))
                else:
                    self._content(urllib.parse.unquote(path))
                return
            self._static()
        except RequestRefused as exc:
            self._json({"error": str(exc)}, exc.status)
        except OpenCommonsError as exc:
            self._json({"error": str(exc)}, 400)

    def _explorer(self, path: str) -> None:
        from .index.api import NotFoundError

        if self.app.explorer is None:
            self._json({"error": "this dApp server runs without an index (started with --no-index)"}, 503)
            return
        try:
            self._json(self.app.explorer.get(path))
        except NotFoundError as exc:
            self._json({"error": str(exc)}, 404)

    def _content(self, path: str) -> None:
        """`/ipfs/CID[/path]` from the configured store, every block verified as it is sent; a
        directory as a list of links. Served sandboxed (CSP `sandbox`, `nosniff`): a dataset's
        HTML cannot run script with this origin's API."""
        try:
            cid = resolve(self.app.store, path)
            block = self.app.store.get_block(cid)
            node = decode_node(block) if cid.codec == DAG_PB else None
            if node is not None and is_directory(node):
                base = path.rstrip("/")
                items = "".join(
                    f'<li><a href="{html.escape(base + "/" + urllib.parse.quote(n))}">{html.escape(n)}</a></li>'
                    for n in sorted(name for name, _ in entries(self.app.store, cid, node)))
                body = f"<!doctype html><title>{html.escape(path)}</title><ul>{items}</ul>".encode()
                self._content_headers("text/html; charset=utf-8", len(body))
                self.wfile.write(body)
                return
            size = len(block) if node is None else node.filesize or len(node.data)
            parts = cat(budgeted(self.app.store, what=f"serving {path}"), cid)
            first = next(parts, b"")  # the first block verified before anything is sent
        except OpenCommonsError as exc:
            self._content_error(exc)
            return
        self._content_headers(mimetypes.guess_type(path)[0] or "application/octet-stream", size)
        self.wfile.write(first)
        try:
            for part in parts:  # each verified; a bad block ends the response short of its length
                self.wfile.write(part)
        except OpenCommonsError:
            self.close_connection = True

    def _raw_block(self, path: str) -> None:
        """One block as a trustless gateway serves it (`?format=raw` or `Accept:
        application/vnd.ipld.raw`): the client re-hashes it, so nothing here must be trusted."""
        try:
            cid = resolve(self.app.store, path)
            block = self.app.store.get_block(cid)
        except OpenCommonsError as exc:
            self._content_error(exc)
            return
        self._content_headers(RAW_BLOCK, len(block))
        self.wfile.write(block)

    def _content_error(self, exc: OpenCommonsError) -> None:
        """A content request refused in one line: 404 for what the store does not hold, else 400."""
        self._json({"error": str(exc)}, 404 if isinstance(exc, BlockNotFoundError) else 400)

    def _content_headers(self, kind: str, length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Security-Policy", "sandbox")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _check_origin(self) -> None:
        """State-changing requests come from this app's own pages (or from no browser at all):
        a foreign Origin is refused, and only `application/json` bodies are read, which a
        foreign page cannot send without a CORS preflight this server never answers."""
        self._check_host()
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in self.app.origins:
            raise RequestRefused(403, f"requests from origin {origin!r} are refused: use the dApp served here")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise RequestRefused(415, f"Content-Type must be application/json, not {kind or 'none'!r}")

    def do_POST(self) -> None:  # noqa: N802
        try:
            self._check_origin()
            if self.path == "/rpc":
                body = self._body()
                check_rpc_request(body)
                request = urllib.request.Request(self.app.rpc_url, data=body,
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=60) as reply:
                    payload = reply.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            elif self.path == "/api/ipfs/add":
                body = self._body()
                json.loads(body)  # profiles and manifests are JSON documents
                cid = self.app.store.add_bytes(body, 1)
                self._json({"cid": str(cid), "digest": "0x" + cid.digest.hex(), "codec": cid.codec})
            elif self.path == "/api/relay/register":
                self._json(self.app.relay_register(json.loads(self._body()), self._client()))
            elif self.path == "/api/relay/vote":
                self._json(self.app.relay_vote(json.loads(self._body()), self._client()))
            elif self.path == "/api/relay/claim":
                self._json(self.app.relay_claim(json.loads(self._body()), self._client()))
            elif self.path == "/api/publish/prepare":
                from .dapp_publish import MAX_UPLOAD

                self._json(self.app.publisher.prepare(json.loads(self._body(MAX_UPLOAD))))
            elif self.path == "/api/publish/pin":
                self._json(self.app.publisher.pin(json.loads(self._body())))
            else:
                self._json({"error": f"no such endpoint {self.path}"}, 404)
        except RequestRefused as exc:
            self._json({"error": str(exc)}, exc.status)
        except OpenCommonsError as exc:
            self._json({"error": str(exc)}, 400)
        except (ValueError, KeyError) as exc:
            self._json({"error": f"bad request: {exc}"}, 400)

    def _static(self) -> None:
        path = (self.app.dist / self.path.split("?")[0].lstrip("/")).resolve()
        if self.path in ("/", "") or not path.is_file():
            path = self.app.dist / "index.html"
        if not str(path).startswith(str(self.app.dist.resolve())) or not path.is_file():
            self._json({"error": "the dApp is not built: run `make dapp`"}, 404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
