"""`commons contributor register|show|earnings|verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..errors import OpenCommonsError
from ..ipfs.cid import Cid
from ..ipfs.content import open_store
from .common import (AccountOpt, ApiOpt, _checked_address, _commons, DbOpt, DeploymentsOpt, _emit, fail, HomeOpt,
                     JsonOpt, lazy, NoIndexOpt, _reader, RpcOpt, _said, say, _sender, StoreOpt, _tx)

if TYPE_CHECKING:
    import eth_account
    from .. import actions
    from .. import publish as publishing
    from ..chain import transactions
    from ..chain import typed_data
    import web3
else:
    actions = lazy("opencommons.actions")
    eth_account = lazy("eth_account")
    publishing = lazy("opencommons.publish")
    transactions = lazy("opencommons.chain.transactions")
    typed_data = lazy("opencommons.chain.typed_data")
    web3 = lazy("web3")

contributor_app = typer.Typer(help="Register and inspect contributors.", no_args_is_help=True)


@contributor_app.command("register")
def contributor_register(name: str = typer.Option(..., "--name",
                                                 help="NAME shown for you (in your profile, on IPFS)."),
                         community: str = typer.Option(..., "--community",
                                                       help="CODE of your community, e.g. KE/education (picks that "
                                                            "commons)."),
                         gasless: bool = typer.Option(False, "--gasless",
                                                      help="Sign with --account (a keystore); --relayer pays."),
                         relayer: Optional[str] = typer.Option(None, "--relayer",
                                                               help="ACCOUNT that sends your signed registration and "
                                                                    "pays its gas (gasless)."),
                         rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                         deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                         home: Optional[Path] = HomeOpt) -> None:
    """Register the account with a profile (pinned to IPFS) and a community code."""
    try:
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        if not gasless:
            _, cid = actions.register(commons, who, open_store(store, home, api), name, community, report=_said)
            say(f"{who.address} registered in {community} (profile {cid})")
            return
        profile = json.dumps({"name": name, "commons": community, "account": who.address}, sort_keys=True)
        cid = open_store(store, home, api).add_bytes(profile.encode(), 1)
        if not isinstance(who, transactions.KeyAccount):
            raise OpenCommonsError("--gasless needs --account KEYSTORE.json: the signer must hold its key")
        payer = _sender(commons, relayer)
        nonce = commons.registry.functions.nonces(who.address).call()
        deadline = commons.w3.eth.get_block("latest")["timestamp"] + 3600
        msg = typed_data.register_message(commons.w3.eth.chain_id, commons.registry.address, who.address,
                                          cid.digest, cid.codec, publishing.commons_id(community), nonce, deadline)
        from eth_account.messages import encode_typed_data

        sig = eth_account.Account.sign_message(encode_typed_data(full_message=msg), who.account.key).signature
        _tx("registered by signature", commons, payer, commons.registry.functions.registerWithSig(
            who.address, cid.digest, cid.codec, publishing.commons_id(community), deadline, sig))
        say(f"{who.address} registered in {community} (profile {cid}; gas paid by {payer.address})")
    except OpenCommonsError as exc:
        fail(exc)


@contributor_app.command("show")
def contributor_show(address: str, claim: Optional[str] = typer.Option(None, "--claim",
                                                                       help="CLAIM type (e.g. kyc) whose verification "
                                                                            "to show."),
                     as_json: bool = JsonOpt,
                     rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt, db: Optional[str] = DbOpt,
                     no_index: bool = NoIndexOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                     home: Optional[Path] = HomeOpt) -> None:
    """Show a contributor's record (with its profile's name and community code when the IPFS
    store holds the profile) and one claim's status."""
    try:
        if not web3.Web3.is_address(address):
            raise OpenCommonsError(f"malformed address {address!r}")
        commons = _commons(rpc, deployments)
        who = web3.Web3.to_checksum_address(address)
        reader = _reader(commons, db, no_index)
        c = reader.contributor(who)
        data: dict[str, Any] = {"account": who, "registered": c["active"],
                                "profile": str(Cid.from_chain(c["codec"], bytes.fromhex(c["digest"][2:])))
                                if c["codec"] else None,
                                "community": c["community"], "registeredAt": c["registeredAt"]}
        from ..ipfs.content import open_store
        from ..names import profile_names

        data.update(profile_names(open_store(store, home, api), c))
        if claim:
            data["claim"] = claim
            now = commons.w3.eth.get_block("latest")["timestamp"]
            data["verified"] = reader.is_verified(who, "0x" + bytes(web3.Web3.keccak(text=claim)).hex(), now)
        if as_json:
            _emit(data, as_json)
            return
        from .. import present
        from ..names import own_code

        data.setdefault("communityCode", own_code(commons, str(data["community"])))
        for line in present.contributor_lines(data):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


@contributor_app.command("earnings")
def contributor_earnings(address: str, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
                         deployments: Path = DeploymentsOpt, db: Optional[str] = DbOpt,
                         no_index: bool = NoIndexOpt) -> None:
    """What ADDRESS has earned per dataset and token: claimed so far and claimable now."""
    from .. import queries

    try:
        who = _checked_address(address)
        commons = _commons(rpc, deployments)
        rows = _reader(commons, db, no_index).earnings(who)
        for row in rows:
            for key in ("earned", "claimed", "claimable"):
                row[key + "Text"] = queries.format_amount(commons, int(row[key]), row["token"])
        if not rows and not as_json:
            say(f"{who} has earned nothing yet")
            return
        _emit(rows, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@contributor_app.command("verify")
def contributor_verify(address: str, claim: str = typer.Option(..., "--claim",
                                                               help="CLAIM type to attest, e.g. kyc or teacher."),
                       days: int = typer.Option(365, "--days", min=1, help="DAYS the attestation stays valid."),
                       rpc: Optional[str] = RpcOpt,
                       account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Attest a claim about a contributor (verifier role)."""
    try:
        if not web3.Web3.is_address(address):
            raise OpenCommonsError(f"malformed address {address!r}")
        commons = _commons(rpc, deployments)
        expires = commons.w3.eth.get_block("latest")["timestamp"] + days * 86400
        _tx("claim attested", commons, _sender(commons, account), commons.registry.functions.attestClaim(
            web3.Web3.to_checksum_address(address), web3.Web3.keccak(text=claim), expires))
    except OpenCommonsError as exc:
        fail(exc)
