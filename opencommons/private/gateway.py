"""`commons gateway`: serves private datasets to their licensees (FastAPI).

A consumer signs in with Sign-In with Ethereum (EIP-4361): it asks for a nonce, signs a message
for this gateway's domain and chain, and gets a session token (HMAC-signed, so any instance
sharing the gateway's key accepts it). The message's domain and `uri` must both name this gateway
(a message signed for another site, relayed here, is refused), and a session names the domain, the
chain and the gateway key it was issued for: one key file serving two chains or two domains never
makes their sessions interchangeable. Nonces are purged when they expire and rationed per client.
At every file request the gateway checks on-chain, at the latest block, that the dataset is neither Rejected nor Retired and that the account holds a valid
licence for it; then it streams the file decrypted (HTTP ranges supported: only the chunks that
hold the range are fetched and decrypted, every block re-hashed), or hands the data key re-wrapped
for a key the consumer's session names. Every grant and refusal is logged with the block it was
checked at; no plaintext and no key is ever logged. Apart from its key store (SQL, shared by
every instance) the gateway keeps no state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
# at module level: FastAPI reads the handlers' (postponed) annotations from this module's globals
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, StreamingResponse

from ..errors import OpenCommonsError
from ..ipfs.cid import Cid
from ..ipfs.directory import resolve
from ..ipfs.store import read_document, read_range
from .crypto import HEADER, Decryptor, DecryptionError, public_key_hex, unwrap, wrap
from .gateway_store import KeyStore

log = logging.getLogger("opencommons.gateway")
STATUS = {3: "Rejected", 4: "Retired", 5: "taken down (a dispute against it was upheld)"}
NONCE_TTL = 600.0
SESSION_TTL = 3600
#: nonces one client (IP address) may ask for per minute, and unused ones the store may hold in all
NONCES_PER_MINUTE = 30
MAX_OPEN_NONCES = 10_000
PERPETUAL = 2**64 - 1


class GatewayRefusal(OpenCommonsError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Gateway:
    commons: Any
    source: Any
    key: X25519PrivateKey
    store: KeyStore
    domain: str
    _asked: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _asked_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def public_key(self) -> str:
        return public_key_hex(self.key)

    @property
    def chain_id(self) -> int:
        return int(self.commons.deployment.chain_id)

    def _secret(self) -> bytes:
        """The sessions' HMAC key: derived from the gateway's key, its domain and its chain, so a
        token issued for one of them verifies at no other."""
        context = f"opencommons/gateway/session|{self.domain}|{self.chain_id}|".encode()
        return hashlib.sha256(context + self.key.private_bytes_raw()).digest()

    # ------------------------------------------------------------------ sessions
    def nonce(self, client: str = "") -> str:
        """A fresh single-use nonce; a client asking for more than NONCES_PER_MINUTE a minute, or a
        store holding MAX_OPEN_NONCES unused ones, is refused (429) until some expire."""
        now = time.monotonic()
        with self._asked_lock:
            recent = [t for t in self._asked.get(client, []) if now - t < 60]
            if len(recent) >= NONCES_PER_MINUTE:
                raise GatewayRefusal(429, f"too many sign-in nonces asked for from {client or 'this client'}: "
                                          "wait a minute")
            recent.append(now)
            self._asked[client] = recent
            if len(self._asked) > 4 * MAX_OPEN_NONCES:  # forget idle clients
                self._asked = {c: ts for c, ts in self._asked.items() if now - ts[-1] < 60}
        self.store.purge_nonces()
        if self.store.open_nonces() >= MAX_OPEN_NONCES:
            raise GatewayRefusal(429, "this gateway has too many sign-ins under way: try again in a few minutes")
        nonce = secrets.token_hex(16)
        self.store.issue_nonce(nonce, NONCE_TTL)
        return nonce

    def login(self, message: str, signature: str) -> dict[str, Any]:
        from siwe import SiweMessage

        from .client import quiet_siwe

        try:
            with quiet_siwe():
                parsed = SiweMessage.from_message(message=message)
        except Exception as exc:  # the siwe package raises its own parse errors
            raise GatewayRefusal(400, f"not a Sign-In with Ethereum message: {str(exc).splitlines()[0]}") from None
        chain_id = self.chain_id
        if parsed.domain != self.domain:
            raise GatewayRefusal(401, f"the message signs in to {parsed.domain!r}, not to this gateway ({self.domain})")
        if urlsplit(str(parsed.uri)).netloc != self.domain:
            raise GatewayRefusal(401, f"the message's URI {parsed.uri} is not this gateway's ({self.domain}): "
                                      "it was signed for another site")
        if int(parsed.chain_id) != chain_id:
            raise GatewayRefusal(401, f"the message is for chain {parsed.chain_id}, this gateway serves chain {chain_id}")
        try:
            parsed.verify(signature, domain=self.domain, nonce=parsed.nonce)
        except Exception as exc:
            reason = type(exc).__name__.removesuffix("Exception")
            raise GatewayRefusal(401, f"the sign-in message does not verify ({reason}: expired, not yet valid, or "
                                      "not signed by its address)") from None
        if not self.store.use_nonce(parsed.nonce):
            raise GatewayRefusal(401, "the sign-in nonce was not issued here, expired, or was used already: "
                                      "ask for a new one")
        expires = int(time.time()) + SESSION_TTL
        claims = {"address": parsed.address, "exp": expires, "domain": self.domain, "chain": chain_id,
                  "gateway": self.public_key}
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode()
        tag = hmac.new(self._secret(), payload.encode(), hashlib.sha256).hexdigest()
        log.info("sign-in account=%s", parsed.address)
        return {"token": f"{payload}.{tag}", "address": parsed.address, "expires": expires}

    def session(self, authorization: str | None) -> str:
        if not authorization or not authorization.startswith("Bearer "):
            raise GatewayRefusal(401, "sign in first (POST /v1/login) and send Authorization: Bearer TOKEN")
        payload, _, tag = authorization[len("Bearer "):].partition(".")
        good = hmac.new(self._secret(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, tag):
            raise GatewayRefusal(401, "the session token was not issued by this gateway")
        data = json.loads(base64.urlsafe_b64decode(payload))
        if (data.get("domain"), data.get("chain"), data.get("gateway")) != (self.domain, self.chain_id,
                                                                            self.public_key):
            raise GatewayRefusal(401, "the session token was issued for another gateway, domain or chain")
        if int(data["exp"]) < time.time():
            raise GatewayRefusal(401, "the session expired: sign in again")
        return str(data["address"])

    # ------------------------------------------------------------------ keys
    def _manifest(self, dataset_id: int) -> tuple[Cid, dict[str, Any]]:
        from ..queries import dataset_view

        try:
            view = dataset_view(self.commons, dataset_id)
        except OpenCommonsError as exc:
            raise GatewayRefusal(404, str(exc)) from None
        manifest = read_document(self.source, Cid.parse(view["manifest"]), "manifest")
        if not isinstance(manifest, dict) or not isinstance(manifest.get("private"), dict):
            raise GatewayRefusal(400, f"dataset {dataset_id} is not private: fetch it from IPFS")
        return Cid.parse(view["content"]), manifest

    def _erased_at(self, dataset_id: int) -> int:
        """When the erasure of `dataset_id` was requested on-chain (0: never); a requested
        erasure destroys the key held here at once, whoever asked and whenever this gateway
        learns of it (it may have been down when the owner called)."""
        if "DatasetRights" not in self.commons.deployment.addresses:
            return 0
        requested = int(self.commons.rights.functions.erasureRequestedAt(dataset_id).call())
        if requested and self.store.delete_key(dataset_id):
            self.store.log(None, None, str(dataset_id), None, False, "data key destroyed (erasure requested on-chain)")
            log.info("key destroyed dataset=%s (erasure requested at %s)", dataset_id, requested)
        return requested

    def _refuse_erased(self, dataset_id: int) -> None:
        requested = self._erased_at(dataset_id)
        if requested:
            from ..present import when

            raise GatewayRefusal(410, f"dataset {dataset_id} was erased (requested {when(requested)}): its data key "
                                      "is destroyed here and it is not served")

    def erase(self, dataset_id: int) -> dict[str, Any]:
        """Destroys the data key of `dataset_id` if its erasure was requested on-chain (anyone may
        ask: the chain decides, not the caller). Idempotent."""
        requested = self._erased_at(dataset_id)
        if not requested:
            raise GatewayRefusal(409, f"no erasure of dataset {dataset_id} was requested on-chain: its owner or an "
                                      "arbiter requests it first (`commons dataset erase`)")
        return {"dataset": str(dataset_id), "erased": True, "requestedAt": requested,
                "publicKey": self.public_key, "block": int(self.commons.w3.eth.block_number)}

    def register(self, dataset_id: int) -> dict[str, Any]:
        """Keeps the data key of a private dataset that names this gateway (still wrapped for it)."""
        self._refuse_erased(dataset_id)
        content, manifest = self._manifest(dataset_id)
        mine = [g for g in manifest["private"].get("gateways", []) if g.get("publicKey") == self.public_key]
        if not mine:
            raise GatewayRefusal(403, f"dataset {dataset_id} does not name this gateway: its publisher did not wrap "
                                      "its key for it")
        unwrap(mine[0]["wrappedKey"], self.key, str(content).encode())  # refuses a key that does not open
        self.store.put_key(dataset_id, str(content), mine[0]["wrappedKey"])
        log.info("key registered dataset=%s", dataset_id)
        return {"dataset": str(dataset_id), "registered": True}

    def _data_key(self, dataset_id: int, content: Cid) -> bytes:
        self._refuse_erased(dataset_id)
        wrapped = self.store.wrapped_key(dataset_id)
        if wrapped is None:
            raise GatewayRefusal(404, f"this gateway holds no key for dataset {dataset_id}: its publisher registers "
                                      f"it with `commons gateway register {dataset_id} --gateway URL`")
        return unwrap(wrapped, self.key, str(content).encode())

    # ------------------------------------------------------------------ access
    def check(self, account: str, dataset_id: int, path: str | None) -> int:
        """The block the licence was checked at; refused (and logged) without a valid licence."""
        self._refuse_erased(dataset_id)
        block = int(self.commons.w3.eth.block_number)
        nft, licences = self.commons.nft.functions, self.commons.licenses.functions
        reason = None
        if not nft.exists(dataset_id).call(block_identifier=block):
            reason = (404, f"dataset {dataset_id} does not exist")
        else:
            status = int(nft.statusOf(dataset_id).call(block_identifier=block))
            if status in STATUS:
                reason = (403, f"dataset {dataset_id} is {STATUS[status]}: it is not served")
            elif not licences.hasValidLicense(account, dataset_id).call(block_identifier=block):
                expiry = int(licences.licenseExpiry(account, dataset_id).call(block_identifier=block))
                reason = (403, f"{account} holds no valid licence for dataset {dataset_id}"
                               + (" (it expired)" if expiry else "") + f" at block {block}")
        if reason is not None:
            self.store.log(block, account, str(dataset_id), path, False, reason[1])
            log.info("refused account=%s dataset=%s path=%s block=%s reason=%s", account, dataset_id, path, block,
                     reason[1])
            raise GatewayRefusal(*reason)
        self.store.log(block, account, str(dataset_id), path, True, "valid licence")
        log.info("granted account=%s dataset=%s path=%s block=%s", account, dataset_id, path, block)
        return block

    def open_file(self, dataset_id: int, path: str) -> tuple[Decryptor, Cid, int]:
        """The decryptor of `path`, its ciphertext CID and its plaintext size."""
        content, manifest = self._manifest(dataset_id)
        files = {f.get("path"): f for f in manifest["private"].get("files", []) if isinstance(f, dict)}
        if path not in files:
            raise GatewayRefusal(404, f"dataset {dataset_id} has no file {path!r}")
        key = self._data_key(dataset_id, content)
        cid = resolve(self.source, f"{content}/{path}")
        size = int(files[path]["size"])
        return Decryptor(key, read_range(self.source, cid, 0, HEADER), size), cid, size

    def rewrapped_key(self, account: str, dataset_id: int, recipient: str) -> dict[str, Any]:
        """The data key wrapped for `recipient`: only for a perpetual licence. A key, once handed
        out, cannot be taken back, so a time-limited licensee gets decrypted files (checked at
        every request), never the key."""
        expiry = int(self.commons.licenses.functions.licenseExpiry(account, dataset_id).call())
        if expiry != PERPETUAL:
            raise GatewayRefusal(403, f"{account}'s licence to dataset {dataset_id} is time-limited: the data key "
                                      "goes only to perpetual licensees; download the files through this gateway")
        content, _ = self._manifest(dataset_id)
        return wrap(self._data_key(dataset_id, content), recipient, str(content).encode())


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """`bytes=a-b`, `bytes=a-` or `bytes=-n` as [start, end); None for no (or an unusable) range."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].partition("-")
    try:
        if first == "":
            n = int(last)
            return (max(0, size - n), size) if n > 0 else None
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start >= size or end <= start:
        raise GatewayRefusal(416, f"range {header} is outside the file's {size} bytes")
    return start, min(end, size)


def _dataset_id(text: str) -> int:
    """A dataset id (77 digits do not fit the web framework's integers: parsed here)."""
    from ..queries import parse_dataset_id

    try:
        return parse_dataset_id(text)
    except OpenCommonsError as exc:
        raise GatewayRefusal(400, str(exc)) from None


def create_app(gateway: Gateway, origins: list[str] | None = None) -> Any:
    """The gateway's HTTP API; `origins` are web pages allowed to call it from a browser (the
    dApp's), through CORS: none unless named."""
    app = FastAPI(title="OpenCommons gateway", docs_url=None, redoc_url=None)
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "Range"],
                           expose_headers=["Content-Range", "Content-Length"])

    @app.exception_handler(GatewayRefusal)
    async def refused(_request: Request, exc: GatewayRefusal) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    @app.exception_handler(OpenCommonsError)
    async def failed(_request: Request, exc: OpenCommonsError) -> JSONResponse:
        return JSONResponse({"error": str(exc).splitlines()[0]}, status_code=502)

    @app.get("/v1/key")
    def key() -> dict[str, Any]:
        return {"publicKey": gateway.public_key, "domain": gateway.domain,
                "chainId": gateway.commons.deployment.chain_id}

    @app.get("/v1/nonce")
    def nonce(request: Request) -> dict[str, str]:
        return {"nonce": gateway.nonce(request.client.host if request.client else "")}

    @app.post("/v1/login")
    async def login(request: Request) -> dict[str, Any]:
        body = await request.json()
        if not isinstance(body, dict):
            raise GatewayRefusal(400, "send {\"message\": ..., \"signature\": ...}")
        return gateway.login(str(body.get("message", "")), str(body.get("signature", "")))

    @app.post("/v1/keys/{dataset}")
    def register(dataset: str) -> dict[str, Any]:
        return gateway.register(_dataset_id(dataset))

    @app.post("/v1/datasets/{dataset}/erase")
    def erase(dataset: str) -> dict[str, Any]:
        return gateway.erase(_dataset_id(dataset))

    @app.post("/v1/datasets/{dataset}/key")
    async def data_key(dataset: str, request: Request, authorization: str | None = Header(None)) -> dict[str, Any]:
        account = gateway.session(authorization)
        dataset_id = _dataset_id(dataset)
        body = await request.json()
        gateway.check(account, dataset_id, None)
        return gateway.rewrapped_key(account, dataset_id, str((body or {}).get("publicKey", "")))

    @app.get("/v1/datasets/{dataset}/files/{path:path}")
    def file(dataset: str, path: str, authorization: str | None = Header(None),
             range_header: str | None = Header(None, alias="Range")) -> StreamingResponse:
        account = gateway.session(authorization)
        dataset_id = _dataset_id(dataset)
        gateway.check(account, dataset_id, path)
        decryptor, cid, size = gateway.open_file(dataset_id, path)
        wanted = parse_range(range_header, size)
        start, end = wanted or (0, size)
        # the first chunk is decrypted before the status line is sent: a bad one is a clean error
        parts = decryptor.plaintext(lambda a, b: read_range(gateway.source, cid, a, b), start, end)
        try:
            first = next(parts, b"")
        except DecryptionError as exc:
            raise GatewayRefusal(502, f"{path}: {exc}") from None

        def body() -> Any:
            yield first
            yield from parts  # a later chunk that fails its tag ends the response short

        headers = {"Content-Length": str(end - start), "Accept-Ranges": "bytes", "Cache-Control": "no-store"}
        if wanted:
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        return StreamingResponse(body(), status_code=206 if wanted else 200, headers=headers,
                                 media_type="application/octet-stream")

    return app


def load_key(path: Any) -> X25519PrivateKey:
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text())
        return X25519PrivateKey.from_private_bytes(bytes.fromhex(data["privateKey"]))
    except FileNotFoundError:
        raise OpenCommonsError(f"no gateway key at {path}: make one with `commons gateway keygen {path}`") from None
    except (OSError, ValueError, KeyError) as exc:
        raise OpenCommonsError(f"{path} is not a gateway key file ({type(exc).__name__})") from None


def new_key_file(path: Any) -> str:
    """Writes a new X25519 key (owner-readable only); returns its public key."""
    from pathlib import Path

    target = Path(path)
    if target.exists():
        raise OpenCommonsError(f"{target} exists: a gateway's key is never overwritten (its datasets' keys are "
                               "wrapped for it)")
    key = X25519PrivateKey.generate()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"privateKey": key.private_bytes_raw().hex(), "publicKey": public_key_hex(key)}, handle)
    return public_key_hex(key)
