"""Private datasets: encrypted before publishing, served decrypted by a licence-checking gateway
(FastAPI under uvicorn, Sign-In with Ethereum), on palmerpenguins' data. Every refusal the issue
lists has its test; two gateway instances share one real PostgreSQL key store."""
import json
import logging
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path

import pytest

from conftest import in_process, ok, start_chain_env

PENGUINS = Path(str(files("palmerpenguins") / "data" / "penguins.csv"))
RAW = Path(str(files("palmerpenguins") / "data" / "penguins-raw.csv"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Uvicorn:
    """An app under uvicorn in a thread, on `port`."""

    def __init__(self, app, port):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                    log_config=None))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{port}"

    def stop(self):
        self.server.should_exit = True
        self.thread.join(5)


class Served(Uvicorn):
    """A gateway app under uvicorn in a thread, on a free port."""

    def __init__(self, gateway):
        from opencommons.private.gateway import create_app

        self.gateway = gateway
        super().__init__(create_app(gateway), gateway.port)


def make_gateway(env, key_file, db, port=None, domain=None):
    from opencommons.connection import connect, load_deployment
    from opencommons.ipfs.content import open_store
    from opencommons.private.gateway import Gateway, load_key
    from opencommons.private.gateway_store import open_keystore

    port = port or free_port()
    gateway = Gateway(load_deployment(connect(env["url"]), env["root"] / "deployments"),
                      open_store("embedded", env["root"] / "ipfs"), load_key(key_file), open_keystore(db),
                      domain or f"127.0.0.1:{port}")
    gateway.port = port
    return Served(gateway)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}")


@pytest.fixture(scope="module")
def world(env, tmp_path_factory):
    from opencommons.private.gateway import new_key_file

    root = tmp_path_factory.mktemp("private")
    new_key_file(root / "gateway.key")
    new_key_file(root / "other.key")
    gateway = make_gateway(env, root / "gateway.key", str(root / "keys.sqlite"))
    other = make_gateway(env, root / "other.key", str(root / "other.sqlite"))
    run = in_process(env)
    acc = env["accounts"]
    ok(run("contributor", "register", "--name", "Kristen", "--community", "AQ/ecology", "--account", "1"))

    def publish(name, source, url, accept=True, offer=True):
        folder = root / name
        folder.mkdir()
        shutil.copy(source, folder / source.name)
        (folder / "NOTES.md").write_text(f"{name}: restricted\n")
        out = json.loads(ok(run("dataset", "publish", str(folder), "--private", "--gateway", url, "--license",
                                "CC-BY-NC-4.0", "--commons", "AQ/ecology", "--name", name, "--contributor",
                                f"{acc[1]}=10000", "--account", "1", "--json")).stdout)
        if offer:
            ok(run("license", "offer", out["dataset"], "--price", "0.01", "--days", "30", "--account", "1"))
        if accept:
            ok(run("dataset", "curate", out["dataset"], "accept", "--account", "0"))
        return out

    ids = {"penguins": publish("penguins", PENGUINS, gateway.url), "raw": publish("raw", RAW, gateway.url),
           "elsewhere": publish("elsewhere", PENGUINS, other.url), "proposed": publish("proposed", RAW, gateway.url,
                                                                                        accept=False)}
    yield {"run": run, "root": root, "gateway": gateway, "other": other, "ids": ids, "acc": acc}
    gateway.stop()
    other.stop()


def test_publish_private_pins_only_ciphertext_and_keeps_public_metadata(env, world):
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore, cat, walk_blocks

    store = EmbeddedStore(env["root"] / "ipfs")
    out = world["ids"]["penguins"]
    manifest = json.loads(b"".join(cat(store, Cid.parse(out["manifest"]))))
    text = PENGUINS.read_bytes()
    for _, block in walk_blocks(store, Cid.parse(out["content"])):  # every block of the content
        assert b"Adelie" not in block and b"Torgersen" not in block
    private = manifest["private"]
    assert private["scheme"] == "aes-256-gcm-chunked/1"
    listed = {f["path"]: f for f in private["files"]}
    assert listed["penguins.csv"]["size"] == len(text)
    assert listed["penguins.csv"]["sha256"] == __import__("hashlib").sha256(text).hexdigest()
    assert listed["penguins.csv"]["columns"]["species"] == "string"
    assert [g["url"] for g in private["gateways"]] == [world["gateway"].url]
    assert set(private["gateways"][0]["wrappedKey"]) == {"scheme", "ephemeral", "nonce", "sealed"}


def test_dataset_get_through_the_gateway_gives_the_licensee_the_plaintext(env, world, tmp_path):
    run, ids = world["run"], world["ids"]
    ok(run("license", "buy", ids["penguins"]["dataset"], "--account", "5"))
    got = ok(run("dataset", "get", ids["penguins"]["dataset"], str(tmp_path / "copy"), "--account", "5"))
    assert got.stdout.startswith(f"ok: private dataset {ids['penguins']['dataset']} in {tmp_path / 'copy'}: 2 files "
                                 f"decrypted by {world['gateway'].url}")
    assert (tmp_path / "copy" / "penguins.csv").read_bytes() == PENGUINS.read_bytes()
    assert f"{env['accounts'][5]} holds a valid licence" in got.stdout
    again = ok(run("dataset", "get", ids["penguins"]["dataset"], str(tmp_path / "copy"), "--account", "5"))
    assert "0 files decrypted" in again.stdout and "2 already there" in again.stdout
    refused = run("dataset", "get", ids["penguins"]["dataset"], str(tmp_path / "nothing"), "--account", "6")
    assert refused.returncode == 1
    assert refused.output.strip().startswith(f"error: the gateway refused: {env['accounts'][6]} holds no valid "
                                             f"licence for dataset {ids['penguins']['dataset']}")
    assert not (tmp_path / "nothing" / "penguins.csv").exists()
    # --of names whose licence to check: it never signs in as someone other than the account that says so
    other = run("dataset", "get", ids["penguins"]["dataset"], str(tmp_path / "other"), "--of", env["accounts"][5],
                "--account", "6")
    assert other.returncode == 1 and other.output.strip() == (
        "error: --of names whose licence to check; a private dataset is decrypted for the licensee who signs in: "
        "pass that account as --account instead")
    assert not (tmp_path / "other").exists()


def _session(env, world, account_index, gateway=None, **message):
    """A session token for `account_index`, or the gateway's refusal."""
    from opencommons.chain.transactions import NodeAccount
    from opencommons.private.client import call, siwe_message, sign_text

    served = gateway or world["gateway"]
    who = NodeAccount(env["accounts"][account_index])
    nonce = json.loads(call(served.url + "/v1/nonce").read())["nonce"]
    text = siwe_message(message.get("domain", served.gateway.domain), who.address,
                        message.get("uri", f"http://{served.gateway.domain}"),
                        message.get("chain_id", env["w3"].eth.chain_id), message.get("nonce", nonce),
                        ttl=message.get("ttl", 300), issued=message.get("issued"))
    signature = sign_text(env["w3"], who, text)
    return text, signature


def _login(served, text, signature):
    from opencommons.private.client import call

    return json.loads(call(served.url + "/v1/login", {"message": text, "signature": signature}).read())["token"]


def _file(served, token, dataset, path, headers=None):
    request = urllib.request.Request(f"{served.url}/v1/datasets/{dataset}/files/{path}",
                                     headers={"Authorization": f"Bearer {token}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read(), reply.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())["error"], {}


def test_gateway_refuses_every_unlicensed_request_and_logs_each_with_its_block(env, world, caplog):
    from opencommons.private.client import GatewayError

    run, ids, gw, w3 = world["run"], world["ids"], world["gateway"], env["w3"]
    penguins, raw = ids["penguins"]["dataset"], ids["raw"]["dataset"]
    caplog.set_level(logging.INFO, logger="opencommons.gateway")
    # a licence for another dataset
    ok(run("license", "buy", raw, "--account", "8"))
    token = _login(gw, *_session(env, world, 8))
    status, error, _ = _file(gw, token, penguins, "penguins.csv")
    assert status == 403 and error.startswith(f"{env['accounts'][8]} holds no valid licence for dataset {penguins}")
    assert _file(gw, token, raw, "penguins-raw.csv")[0] == 200
    # an expired licence
    ok(run("license", "buy", penguins, "--account", "7"))
    token7 = _login(gw, *_session(env, world, 7))
    assert _file(gw, token7, penguins, "NOTES.md")[:2] == (200, b"penguins: restricted\n")
    w3.provider.make_request("evm_increaseTime", [31 * 86400])
    w3.provider.make_request("evm_mine", [])
    status, error, _ = _file(gw, token7, penguins, "NOTES.md")
    assert status == 403 and "(it expired)" in error and f"at block {w3.eth.block_number}" in error
    # a replayed sign-in, an expired one, another domain, another chain, a nonce never issued here
    text, signature = _session(env, world, 5)
    _login(gw, text, signature)
    with pytest.raises(GatewayError, match="nonce was not issued here, expired, or was used already"):
        _login(gw, text, signature)
    stale = datetime.now(timezone.utc) - timedelta(hours=1)
    with pytest.raises(GatewayError, match="does not verify"):
        _login(gw, *_session(env, world, 5, issued=stale, ttl=60))
    with pytest.raises(GatewayError, match="signs in to 'evil.example:443', not to this gateway"):
        _login(gw, *_session(env, world, 5, domain="evil.example:443"))
    with pytest.raises(GatewayError, match="is for chain 1, this gateway serves chain"):
        _login(gw, *_session(env, world, 5, chain_id=1))
    with pytest.raises(GatewayError, match="nonce was not issued here"):
        _login(gw, *_session(env, world, 5, nonce="a" * 32))
    # a Rejected and a Retired dataset
    token5 = _login(gw, *_session(env, world, 5))
    proposed = ids["proposed"]["dataset"]
    ok(run("dataset", "curate", proposed, "reject", "--account", "0"))
    assert _file(gw, token5, proposed, "NOTES.md")[:2] == (403, f"dataset {proposed} is Rejected: it is not served")
    ok(run("dataset", "curate", raw, "retire", "--account", "0"))
    assert _file(gw, token8 := token, raw, "NOTES.md")[:2] == (403, f"dataset {raw} is Retired: it is not served")
    # a dataset whose key this gateway does not hold (wrapped for another gateway)
    elsewhere = ids["elsewhere"]["dataset"]
    ok(run("license", "buy", elsewhere, "--account", "8"))
    status, error, _ = _file(gw, token8, elsewhere, "NOTES.md")
    assert status == 404 and error.startswith(f"this gateway holds no key for dataset {elsewhere}")
    with pytest.raises(Exception, match="does not name this gateway"):
        gw.gateway.register(int(elsewhere))
    # no session at all
    assert _file(gw, "forged.token", penguins, "NOTES.md")[:2] == (401, "the session token was not issued by this gateway")
    # every grant and refusal logged with its block; no plaintext, no key in the logs
    rows = gw.gateway.store.log_rows()
    assert any(r["granted"] and r["dataset"] == raw and r["block"] for r in rows)
    assert any(not r["granted"] and "expired" in r["reason"] and r["block"] for r in rows)
    from opencommons.private.crypto import unwrap

    manifest = json.loads(b"".join(gw.gateway.source.cat(__import__("opencommons.ipfs.cid", fromlist=["Cid"]).Cid.parse(
        ids["penguins"]["manifest"]))))
    key = unwrap(manifest["private"]["gateways"][0]["wrappedKey"], gw.gateway.key, ids["penguins"]["content"].encode())
    logged = caplog.text + json.dumps(rows, default=str)
    assert key.hex() not in logged and "restricted" not in logged and "Adelie" not in logged


def test_gateway_serves_ranges_and_refuses_a_tampered_block(env, world, tmp_path):
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore
    from opencommons.private.crypto import DecryptionError, Decryptor, HEADER, new_data_key, encrypt_stream

    gw, penguins = world["gateway"], world["ids"]["penguins"]["dataset"]
    token = _login(gw, *_session(env, world, 5))
    # account 5's licence is still valid? it was bought before the clock moved 31 days: buy again
    ok(world["run"]("license", "buy", penguins, "--account", "5"))
    text = PENGUINS.read_bytes()
    status, body, headers = _file(gw, token, penguins, "penguins.csv", {"Range": "bytes=100-4999"})
    assert status == 206 and body == text[100:5000] and headers.get("Content-Range") == f"bytes 100-4999/{len(text)}"
    assert _file(gw, token, penguins, "penguins.csv", {"Range": "bytes=-10"})[1] == text[-10:]
    assert _file(gw, token, penguins, "penguins.csv", {"Range": f"bytes={len(text)}-"})[0] == 416
    # a ciphertext altered by one bit does not decrypt (the tag), in any chunk
    key = new_data_key()
    source = tmp_path / "plain"
    source.write_bytes(b"x" * (3 << 20))
    with open(source, "rb") as a, open(tmp_path / "sealed", "wb") as b:
        encrypt_stream(key, a, b)
    sealed = bytearray((tmp_path / "sealed").read_bytes())
    sealed[HEADER + (1 << 20) + 16 + 5] ^= 1  # in chunk 1
    decryptor = Decryptor(key, bytes(sealed[:HEADER]), 3 << 20)
    assert b"".join(decryptor.plaintext(lambda a, b: bytes(sealed[a:b]), 0, 1000)) == b"x" * 1000  # chunk 0 intact
    with pytest.raises(DecryptionError, match="chunk 1 does not decrypt"):
        list(decryptor.plaintext(lambda a, b: bytes(sealed[a:b])))
    # a tampered block in the gateway's store: refused in one line, and the client writes nothing
    manifest = json.loads(b"".join(gw.gateway.source.cat(Cid.parse(world["ids"]["penguins"]["manifest"]))))
    block_cid = Cid.parse(next(f["cid"] for f in manifest["files"] if f["path"] == "NOTES.md"))
    path = EmbeddedStore(env["root"] / "ipfs")._path(block_cid)
    original = path.read_bytes()
    try:
        path.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        refused = world["run"]("dataset", "get", penguins, str(tmp_path / "copy"), "--account", "5")
        assert refused.returncode == 1 and refused.output.strip().startswith("error: the gateway refused: ")
        assert not (tmp_path / "copy" / "NOTES.md").exists()
    finally:
        path.write_bytes(original)


def test_two_gateway_instances_share_one_postgresql_key_store(env, world):
    from postgres_server import PostgresServer

    server = PostgresServer().start()
    port = free_port()
    first = second = None
    try:
        # behind one load balancer: one domain, one key file, one key store
        first = make_gateway(env, world["root"] / "gateway.key", server.url, domain="data.commons.example")
        second = make_gateway(env, world["root"] / "gateway.key", server.url, port, domain="data.commons.example")
        raw = world["ids"]["penguins"]["dataset"]
        ok(world["run"]("license", "buy", raw, "--account", "5"))  # whichever tests this worker ran before
        first.gateway.register(int(raw))  # registered through one instance
        text, signature = _session(env, world, 5, gateway=first)  # nonce from the first
        token = _login(second, text, signature)  # sign-in at the second
        from opencommons.private.client import GatewayError

        with pytest.raises(GatewayError, match="used already"):
            _login(first, text, signature)  # and not again at the first
        assert _file(first, token, raw, "NOTES.md")[:2] == (200, b"penguins: restricted\n")  # its token, the other's key
        assert {r["granted"] for r in second.gateway.store.log_rows()} == {True}
        # a third instance on the same key file and database but another domain: the token is not its
        third = make_gateway(env, world["root"] / "gateway.key", server.url, domain="mirror.commons.example")
        assert _file(third, token, raw, "NOTES.md")[:2] == (401, "the session token was not issued by this gateway")
    finally:
        for served in (first, second, locals().get("third")):
            if served:
                served.stop()
        server.stop()


def test_gateway_hands_the_data_key_rewrapped_for_the_licensees_session_key(env, world):
    """A licensee that decrypts itself (its own tools, straight from IPFS) gets the data key wrapped
    for a key only it holds; without a licence it gets nothing."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore, cat, read_range
    from opencommons.private.client import GatewayError, call
    from opencommons.private.crypto import HEADER, Decryptor, public_key_hex, unwrap

    gw, out = world["gateway"], world["ids"]["penguins"]
    ok(world["run"]("license", "buy", out["dataset"], "--account", "5"))
    session = X25519PrivateKey.generate()
    token = _login(gw, *_session(env, world, 5))
    # a time-limited licence gets files, never the key (a key handed out cannot expire)
    with pytest.raises(GatewayError, match="is time-limited: the data key goes only to perpetual licensees"):
        call(f"{gw.url}/v1/datasets/{out['dataset']}/key", {"publicKey": public_key_hex(session)}, token=token)
    ok(world["run"]("license", "offer", out["dataset"], "--price", "0.02", "--account", "1"))  # perpetual now
    ok(world["run"]("license", "buy", out["dataset"], "--account", "5"))
    wrapped = json.loads(call(f"{gw.url}/v1/datasets/{out['dataset']}/key", {"publicKey": public_key_hex(session)},
                              token=token).read())
    key = unwrap(wrapped, session, out["content"].encode())
    store = EmbeddedStore(env["root"] / "ipfs")
    manifest = json.loads(b"".join(cat(store, Cid.parse(out["manifest"]))))
    cid = Cid.parse(next(f["cid"] for f in manifest["files"] if f["path"] == "penguins.csv"))
    size = PENGUINS.stat().st_size
    decryptor = Decryptor(key, read_range(store, cid, 0, HEADER), size)
    assert b"".join(decryptor.plaintext(lambda a, b: read_range(store, cid, a, b))) == PENGUINS.read_bytes()
    stranger = _login(gw, *_session(env, world, 6))
    with pytest.raises(GatewayError, match="holds no valid licence"):
        call(f"{gw.url}/v1/datasets/{out['dataset']}/key", {"publicKey": public_key_hex(session)}, token=stranger)


class RelayingGateway(Uvicorn):
    """A malicious gateway named in a manifest: it claims an honest gateway's domain and chain and
    hands out the honest gateway's nonces, to forward whatever the victim signs."""

    def __init__(self, honest):
        from fastapi import FastAPI, Request

        from opencommons.private.client import call

        app = FastAPI()
        self.signed = []

        @app.get("/v1/key")
        def key():
            return json.loads(call(honest.url + "/v1/key").read())

        @app.get("/v1/nonce")
        def nonce():
            return json.loads(call(honest.url + "/v1/nonce").read())

        @app.post("/v1/login")
        async def login(request: Request):
            body = await request.json()
            self.signed.append(body)
            return json.loads(call(honest.url + "/v1/login", body).read())

        self.port = free_port()
        super().__init__(app, self.port)


def test_login_refuses_a_gateway_that_claims_another_gateways_domain(env, world):
    """The High finding: the victim's client signs nothing for a relaying gateway, so the attacker
    gets no session at the honest gateway."""
    from opencommons.chain.transactions import NodeAccount
    from opencommons.private.client import GatewayError, login

    relay = RelayingGateway(world["gateway"])
    try:
        with pytest.raises(GatewayError, match=r"asks to be signed in to as '127\.0\.0\.1:\d+', not '127\.0\.0\.1:"
                                               rf"{relay.port}': refusing to sign a sign-in for another site"):
            login(relay.url, env["w3"], NodeAccount(env["accounts"][5]))
        assert relay.signed == []
    finally:
        relay.stop()


def test_gateway_refuses_a_message_signed_for_another_sites_uri(env, world):
    """Had a client signed the honest domain with the relaying gateway's URI, the honest gateway
    refuses it: the URI must name it too."""
    from opencommons.chain.transactions import NodeAccount
    from opencommons.private.client import GatewayError, call, siwe_message, sign_text

    gw, who = world["gateway"], NodeAccount(env["accounts"][5])
    nonce = json.loads(call(gw.url + "/v1/nonce").read())["nonce"]
    text = siwe_message(gw.gateway.domain, who.address, "http://evil.example:8700", env["w3"].eth.chain_id, nonce)
    with pytest.raises(GatewayError, match=r"URI http://evil\.example:8700 is not this gateway's .*signed for another site"):
        _login(gw, text, sign_text(env["w3"], who, text))


def test_login_refuses_a_gateway_on_another_chain(env, world):
    from opencommons.chain.transactions import NodeAccount
    from opencommons.private.client import GatewayError, sign_in_target

    with pytest.raises(GatewayError, match="serves chain 1, this connection is chain 1337: refusing to sign in"):
        sign_in_target("http://127.0.0.1:1", {"domain": "127.0.0.1:1", "chainId": 1}, 1337)
    with pytest.raises(GatewayError, match="is not a gateway URL"):
        sign_in_target("ftp://127.0.0.1:1", {}, 1337)
    # the honest path: the domain and URI come from the URL, the chain from the connection
    token = __import__("opencommons.private.client", fromlist=["login"]).login(
        world["gateway"].url, env["w3"], NodeAccount(env["accounts"][5]))
    assert world["gateway"].gateway.session(f"Bearer {token}") == env["accounts"][5]


def test_session_tokens_do_not_cross_domains_chains_or_keys(env, world):
    """One key file on two domains or two chains: a token from one is refused at the other."""
    import dataclasses
    from types import SimpleNamespace

    from opencommons.private.gateway import GatewayRefusal

    gw = world["gateway"].gateway
    token = "Bearer " + _login(world["gateway"], *_session(env, world, 5))
    assert gw.session(token) == env["accounts"][5]
    other_domain = dataclasses.replace(gw, domain="mirror.commons.example")
    other_chain = dataclasses.replace(gw, commons=SimpleNamespace(deployment=SimpleNamespace(chain_id=424242)))
    for twin in (other_domain, other_chain):
        with pytest.raises(GatewayRefusal, match="not issued by this gateway"):
            twin.session(token)
    # a token whose claims were rewritten for the twin, signed with the first's secret: refused
    payload, _, tag = token.removeprefix("Bearer ").partition(".")
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload))
    claims["domain"] = "mirror.commons.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode()
    with pytest.raises(GatewayRefusal, match="not issued by this gateway"):
        other_domain.session(f"Bearer {forged}.{tag}")


def test_sign_in_refuses_a_message_not_yet_valid(env, world):
    from opencommons.private.client import GatewayError

    text, _ = _session(env, world, 5)
    from opencommons.chain.transactions import NodeAccount
    from opencommons.private.client import sign_text

    later = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    text += f"\nNot Before: {later}"
    with pytest.raises(GatewayError, match="does not verify"):
        _login(world["gateway"], text, sign_text(env["w3"], NodeAccount(env["accounts"][5]), text))


def test_nonces_are_rationed_per_client_and_purged_when_expired(env, world, tmp_path):
    import dataclasses

    from opencommons.private.gateway import GatewayRefusal
    from opencommons.private.gateway_store import open_keystore

    store = open_keystore(str(tmp_path / "nonces.sqlite"))
    gw = dataclasses.replace(world["gateway"].gateway, store=store)
    for _ in range(30):
        gw.nonce("203.0.113.7")
    with pytest.raises(GatewayRefusal, match="too many sign-in nonces asked for from 203.0.113.7: wait a minute"):
        gw.nonce("203.0.113.7")
    gw.nonce("203.0.113.8")  # another client is not held up
    assert store.open_nonces() == 31
    store.issue_nonce("f" * 32, -1)  # expired at once
    assert store.purge_nonces() == 1 and not store.use_nonce("f" * 32)
    assert store.open_nonces() == 31


def test_private_publish_refuses_a_symbolic_link_instead_of_encrypting_its_target(tmp_path):
    """A link in the folder to a file outside it (a key, a home folder) was encrypted and served to
    every licensee; now the publish stops in one line and stages nothing."""
    import os

    from opencommons.errors import PublishError
    from opencommons.private.publish import encrypt_folder

    secret = tmp_path / "secret.txt"
    secret.write_text("not for the commons\n")
    for kind in ("file", "folder"):
        folder = tmp_path / f"data-{kind}"
        folder.mkdir()
        (folder / "penguins.csv").write_bytes(PENGUINS.read_bytes())
        os.symlink(secret if kind == "file" else tmp_path, folder / "linked")
        with pytest.raises(PublishError, match=r"linked is a symbolic link \(to .*\): a private dataset holds "
                                               "regular files only"):
            encrypt_folder(folder, ["http://127.0.0.1:1"], tmp_path / "stage")
    assert not (tmp_path / "stage").exists()


def test_downloads_never_write_through_a_symbolic_link_left_in_the_folder(tmp_path):
    """An earlier `ipfs get` of someone's content left `data -> /somewhere`: a download of a file
    under data/ must not write there."""
    import os

    from opencommons.errors import UnsafePathError
    from opencommons.ml.download import prepare_target

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target_dir = tmp_path / "copy"
    target_dir.mkdir()
    os.symlink(elsewhere, target_dir / "data")
    with pytest.raises(UnsafePathError, match="data is a symbolic link .*nothing is written through it"):
        prepare_target(target_dir, target_dir / "data" / "penguins.csv")
    os.symlink(elsewhere / "x.csv", target_dir / "x.csv")
    with pytest.raises(UnsafePathError, match="x.csv is a symbolic link"):
        prepare_target(target_dir, target_dir / "x.csv")
    assert list(elsewhere.iterdir()) == []


def test_load_dataset_and_the_sdk_read_a_private_dataset_for_its_licensee(env, world, tmp_path, monkeypatch):
    """`to_pandas` and `Client.to_pandas` sign in to the dataset's gateway as the licensee and read
    the decrypted, sha256-checked CSV; without an account, or as an account without a licence,
    they refuse in one line."""
    import opencommons
    from opencommons.errors import OpenCommonsError

    run, ids = world["run"], world["ids"]
    dataset = ids["penguins"]["dataset"]
    ok(run("license", "buy", dataset, "--account", "9"))
    monkeypatch.setenv("OPENCOMMONS_HOME", str(tmp_path / "home"))
    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs"}
    frame = opencommons.to_pandas(dataset, account="9", **where)
    assert frame.shape == (344, 8) and list(frame.columns)[:2] == ["species", "island"]
    assert list(opencommons.Client(account="9", **where).to_pandas(dataset).columns) == list(frame.columns)
    with pytest.raises(OpenCommonsError, match=f"dataset {dataset} is private: pass account="):
        opencommons.to_pandas(dataset, **where)
    with pytest.raises(OpenCommonsError) as refused:  # the plaintext on this machine is no licence
        opencommons.to_pandas(dataset, account="6", **where)
    assert str(refused.value) == (f"{env['accounts'][6]} holds no valid licence to dataset {dataset}: buy one with "
                                  f"`commons license buy {dataset}`")


def test_erasure_destroys_the_key_at_every_gateway_even_one_that_was_down(env, world, tmp_path):
    """Issue 36: crypto-shredding. The owner's erasure is requested on-chain; each gateway the
    manifest names destroys its copy of the data key; a gateway down at the time does so the
    first time it reads the chain about the dataset again, and a rerun records its confirmation."""
    from opencommons.private.gateway import new_key_file

    run, acc, root = world["run"], world["acc"], world["root"]
    new_key_file(tmp_path / "third.key")
    third = make_gateway(env, tmp_path / "third.key", str(tmp_path / "third.sqlite"))
    port = third.gateway.port
    folder = tmp_path / "secret"
    folder.mkdir()
    shutil.copy(RAW, folder / RAW.name)
    (folder / "NOTES.md").write_text("secret: names of nesting sites\n")
    out = json.loads(ok(run("dataset", "publish", str(folder), "--private", "--gateway", world["gateway"].url,
                            "--gateway", third.url, "--license", "CC-BY-NC-4.0", "--commons", "AQ/ecology",
                            "--contributor", f"{acc[1]}=10000", "--account", "1", "--json")).stdout)
    dataset = out["dataset"]
    ok(run("license", "offer", dataset, "--price", "0.01", "--days", "30", "--account", "1"))
    ok(run("dataset", "curate", dataset, "accept", "--account", "0"))
    ok(run("license", "buy", dataset, "--account", "5"))
    assert ok(run("dataset", "get", dataset, str(tmp_path / "before"), "--account", "5"))
    assert third.gateway.store.wrapped_key(int(dataset)) is not None
    from opencommons.private.client import GatewayError, call

    with pytest.raises(GatewayError, match=f"no erasure of dataset {dataset} was requested on-chain"):
        call(f"{third.url}/v1/datasets/{dataset}/erase", {})  # a stranger asking: the chain decides
    assert third.gateway.store.wrapped_key(int(dataset)) is not None
    # only the owner (or an arbiter) erases; a public dataset has no key to destroy
    refused = run("dataset", "erase", dataset, "--account", "5")
    assert refused.returncode == 1 and "neither owns dataset" in refused.output
    third.stop()  # a gateway down during the erasure
    partial = run("dataset", "erase", dataset, "--account", "1")
    lines = partial.output.strip().splitlines()
    assert partial.returncode == 1 and lines[-1].startswith(f"error: erasure of dataset {dataset} recorded (")
    assert f"1 gateway(s) did not confirm, {third.url}: cannot reach the gateway" in lines[-1]
    assert f"{world['gateway'].url}: data key destroyed" in partial.output
    assert world["gateway"].gateway.store.wrapped_key(int(dataset)) is None
    got = run("dataset", "get", dataset, str(tmp_path / "after"), "--account", "5")
    assert got.returncode == 1 and f"dataset {dataset} was erased (requested" in got.output
    shown = ok(run("dataset", "show", dataset)).stdout
    assert "ERASED" in shown and "its data keys were destroyed" in shown
    # back up: its own store still holds the key until it reads the chain about the dataset
    back = make_gateway(env, tmp_path / "third.key", str(tmp_path / "third.sqlite"), port=port)
    try:
        assert back.gateway.store.wrapped_key(int(dataset)) is not None
        text, signature = _session(env, world, 5, gateway=back)
        token = _login(back, text, signature)
        status, error, _ = _file(back, token, dataset, "NOTES.md")
        assert status == 410 and "its data key is destroyed here" in error
        assert back.gateway.store.wrapped_key(int(dataset)) is None
        assert any("data key destroyed" in r["reason"] for r in back.gateway.store.log_rows())
        done = ok(run("dataset", "erase", dataset, "--account", "1")).stdout
        assert f"dataset {dataset} erased: 2 gateway(s) destroyed its key" in done
    finally:
        back.stop()
    # a public dataset has no key to destroy: refused, with what can be done instead
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "open.csv").write_text("a,b\n1,2\n")
    opened = json.loads(ok(run("dataset", "publish", str(tmp_path / "open"), "--license", "CC0-1.0", "--commons",
                               "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--account", "1", "--json")).stdout)
    refused = run("dataset", "erase", opened["dataset"], "--account", "1")
    assert refused.returncode == 1 and "is public: nothing encrypts it" in refused.output
