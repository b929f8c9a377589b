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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import CidMismatchError, OpenCommonsError
from ..ipfs.unixfs import check_entry_name
from ..ml.download import open_new, prepare_target, sha256_file


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


@contextmanager
def quiet_siwe() -> Iterator[None]:
    """A context in which the `siwe` package parses and prints messages without its grammar
    library's GrammarWarnings (a page of them at the first sign-in, meaningless to a user)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"rule '.*' redefines", category=UserWarning)
        yield


def siwe_message(domain: str, address: str, uri: str, chain_id: int, nonce: str, ttl: int = 300,
                 issued: datetime | None = None) -> str:
    with quiet_siwe():
        return _siwe_message(domain, address, uri, chain_id, nonce, ttl, issued)


def _siwe_message(domain: str, address: str, uri: str, chain_id: int, nonce: str, ttl: int,
                  issued: datetime | None) -> str:
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


def sign_in_target(url: str, claimed: dict[str, Any], chain_id: int) -> tuple[str, str]:
    """(domain, uri) to sign in to the gateway at `url`: taken from the URL this client connects
    to and checked against what the gateway claims, never taken from the claim. A gateway that
    names another domain or chain (one relaying an honest gateway's sign-in to keep the session)
    is refused before anything is signed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GatewayError(f"{url!r} is not a gateway URL: give http(s)://HOST[:PORT]")
    domain, uri = parts.netloc, f"{parts.scheme}://{parts.netloc}"
    if claimed.get("domain") != domain:
        raise GatewayError(f"the gateway at {uri} asks to be signed in to as {claimed.get('domain')!r}, not "
                           f"{domain!r}: refusing to sign a sign-in for another site")
    if str(claimed.get("chainId")) != str(chain_id):
        raise GatewayError(f"the gateway at {uri} serves chain {claimed.get('chainId')}, this connection is "
                           f"chain {chain_id}: refusing to sign in")
    return domain, uri


def login(url: str, w3: Any, signer: Any) -> str:
    """A session token from the gateway at `url` for `signer`'s address."""
    base = url.rstrip("/")
    chain_id = int(w3.eth.chain_id)
    domain, uri = sign_in_target(base, json.loads(call(base + "/v1/key").read()), chain_id)
    nonce = json.loads(call(base + "/v1/nonce").read())["nonce"]
    if not isinstance(nonce, str) or not nonce.isalnum() or not 8 <= len(nonce) <= 64:
        raise GatewayError(f"the gateway at {uri} sent a malformed sign-in nonce")
    message = siwe_message(domain, signer.address, uri, chain_id, nonce)
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
        prepare_target(directory, target)
        if target.is_file() and target.stat().st_size == f.get("size") and sha256_file(target) == f.get("sha256"):
            kept.append(f["path"])
            continue
        partial = target.parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
        digest = hashlib.sha256()
        try:
            reply = call(f"{url.rstrip('/')}/v1/datasets/{dataset_id}/files/{f['path']}", token=token)
            with reply, open_new(partial) as handle:
                received = 0
                for chunk in iter(lambda: reply.read(1 << 20), b""):
                    received += len(chunk)
                    if received > int(f.get("size") or 0):
                        raise CidMismatchError(f"{f['path']}: the gateway sent more than the manifest's "
                                               f"{int(f.get('size') or 0):,} bytes")
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
