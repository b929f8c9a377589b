"""A licensee's side of a gateway: Sign-In with Ethereum, then every file of a private dataset
downloaded decrypted and checked against the plaintext sha256 its manifest records (written under a
hidden partial name, renamed once it matches; files already there and matching are kept)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..errors import CidMismatchError, OpenCommonsError
from ..ipfs.unixfs import check_entry_name
from ..ml.download import sha256_file


class GatewayError(OpenCommonsError):
    """What a gateway refused, in its own words."""


def call(url: str, body: Any = None, token: str | None = None, method: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method or ("POST" if data else "GET"))
    try:
        return urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("error")
        except ValueError:
            detail = None
        raise GatewayError(f"the gateway refused: {detail or exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise GatewayError(f"cannot reach the gateway {url}: {getattr(exc, 'reason', exc)}") from None


def siwe_message(domain: str, address: str, uri: str, chain_id: int, nonce: str, ttl: int = 300,
                 issued: datetime | None = None) -> str:
    from siwe import SiweMessage

    now = issued or datetime.now(timezone.utc)
    return str(SiweMessage(domain=domain, address=address, uri=uri, version="1", chain_id=chain_id, nonce=nonce,
                       statement="Sign in to download the private datasets you hold a licence for.",
                       issued_at=now.isoformat().replace("+00:00", "Z"),
                       expiration_time=(now + timedelta(seconds=ttl)).isoformat().replace("+00:00", "Z"),
                       ).prepare_message())


def sign_text(w3: Any, signer: Any, text: str) -> str:
    """An EIP-191 personal signature by `signer` (an unlocked node account, or a local key)."""
    account = getattr(signer, "account", None)
    if account is not None:
        from eth_account.messages import encode_defunct

        return "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()
    return "0x" + bytes(w3.eth.sign(signer.address, text=text)).hex()


def login(url: str, w3: Any, signer: Any) -> str:
    """A session token from the gateway at `url` for `signer`'s address."""
    base = url.rstrip("/")
    info = json.loads(call(base + "/v1/key").read())
    nonce = json.loads(call(base + "/v1/nonce").read())["nonce"]
    message = siwe_message(info["domain"], signer.address, base, int(info["chainId"]), nonce)
    reply = json.loads(call(base + "/v1/login", {"message": message, "signature": sign_text(w3, signer, message)}).read())
    return str(reply["token"])


def download_private(url: str, token: str, dataset_id: int, manifest: dict[str, Any], directory: Path,
                     progress: Callable[[int], None] | None = None) -> tuple[list[str], list[str]]:
    """(fetched, kept) paths; every file's plaintext sha256 checked before it takes its name."""
    files = [f for f in manifest["private"].get("files", []) if isinstance(f, dict)]
    fetched, kept = [], []
    directory.mkdir(parents=True, exist_ok=True)
    for f in files:
        parts = [check_entry_name(p, "the manifest") for p in str(f.get("path", "")).split("/")]
        target = directory.joinpath(*parts)
        if target.is_file() and target.stat().st_size == f.get("size") and sha256_file(target) == f.get("sha256"):
            kept.append(f["path"])
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
        digest = hashlib.sha256()
        try:
            reply = call(f"{url.rstrip('/')}/v1/datasets/{dataset_id}/files/{f['path']}", token=token)
            with reply, open(partial, "wb") as handle:
                for chunk in iter(lambda: reply.read(1 << 20), b""):
                    handle.write(chunk)
                    digest.update(chunk)
                    if progress:
                        progress(len(chunk))
            if digest.hexdigest() != f.get("sha256"):
                raise CidMismatchError(f"{f['path']} decrypted to bytes that do not match the manifest's sha256 "
                                       f"({digest.hexdigest()[:16]}..., expected {str(f.get('sha256'))[:16]}...)")
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        fetched.append(f["path"])
    return fetched, kept
