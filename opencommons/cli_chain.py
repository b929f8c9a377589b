"""`commons deploy|contributor|dataset|license|royalties|gov`: parse, call the library, print."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Optional

import typer
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3

from .chain.deploy import Bootstrap, deploy_suite, find_existing
from .chain.profiles import choose_profile, load_config, validate
from .chain.revert_hints import format_duration
from .chain.transactions import KeyAccount, Sender, transact
from .chain.typed_data import register_message
from .cli_common import fail, say
from .connection import connect, load_deployment, sender
from .errors import OpenCommonsError
from .ipfs.cid import Cid
from .ipfs.content import ContentStore, open_store
from .publish import PublishRequest, commons_id, publish, verify_directory
from .queries import (NATIVE, accept_and_reward_actions, dataset_view, find_proposal, list_datasets,
                      parse_amount, parse_dataset_id, proposal_view, token_address)
from .suite import Commons

RpcOpt = typer.Option(None, "--rpc", "--network", envvar="OPENCOMMONS_RPC",
                      help="JSON-RPC URL or network name (local, development, ganache-cli; default local).")
AccountOpt = typer.Option(None, "--account", help="Unlocked account index or address, or a keystore .json file.")
DeploymentsOpt = typer.Option(Path("deployments"), "--deployments", help="Folder of <chainId>.json files.")
JsonOpt = typer.Option(False, "--json", help="Machine-readable output.")
StoreOpt = typer.Option("embedded", "--store", help="IPFS store: embedded or kubo.")
ApiOpt = typer.Option(None, "--api", help="Kubo RPC address for --store kubo.")
HomeOpt = typer.Option(None, "--home", envvar="OPENCOMMONS_IPFS_HOME", help="Embedded IPFS store folder.")
YesOpt = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")


def _commons(rpc: Optional[str], deployments: Path) -> Commons:
    return load_deployment(connect(rpc), deployments)


def _sender(commons: Commons, account: Optional[str]) -> Sender:
    return sender(commons.w3, account, prompt=lambda text: typer.prompt(text, hide_input=True))


def _tx(label: str, commons: Commons, who: Sender, fn: Any, value: int = 0) -> Any:
    receipt = transact(commons.w3, who, fn, value=value)
    say(f"{label}: tx {receipt['transactionHash'].to_0x_hex()} gas {receipt['gasUsed']}")
    return receipt


OfOpt = typer.Option(None, "--of", help="Account (default: --account).")


def _account_of(commons: Commons, of: Optional[str], account: Optional[str]) -> str:
    """The account a read is about: --of, else the --account's address."""
    if of is not None and not Web3.is_address(of):
        raise OpenCommonsError(f"malformed address {of!r}")
    return Web3.to_checksum_address(of) if of else _sender(commons, account).address


def _emit(data: Any, as_json: bool) -> None:
    if as_json:
        say(json.dumps(data, indent=2, sort_keys=True, default=str))
    elif isinstance(data, list):
        for row in data:
            say("  ".join(f"{k}={v}" for k, v in row.items()))
    else:
        for key, value in data.items():
            say(f"{key:18s} {value}")


# ---------------------------------------------------------------------------------- deploy
def deploy(rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt,
           fresh: bool = typer.Option(False, "--fresh", help="Deploy again even if a deployment exists."),
           yes: bool = YesOpt,
           curator: list[str] = typer.Option([], "--curator", help="Bootstrap curator (governance can revoke)."),
           allow_token: list[str] = typer.Option([], "--allow-token", help="ERC-20 allow-listed at bootstrap."),
           profile: Optional[str] = typer.Option(
               None, "--profile", help="Governance profile: dev (fast, local chains; the default there) or network "
                                       "(days-long delays, supply in the treasury)."),
           config: Optional[Path] = typer.Option(
               None, "--config", help="TOML file with [governance] overrides and [allocations] (address = OCT).")) -> None:
    """Deploy the whole suite, wire every role to the timelock, write deployments/<chainId>.json."""
    try:
        w3 = connect(rpc)
        settings = choose_profile(w3.eth.chain_id, profile)
        if config is not None:
            settings = load_config(config, settings)
        validate(settings)
        existing = find_existing(w3, deployments)
        if existing and not fresh:
            say(f"already deployed on chain {existing.chain_id} at block {existing.block}: nothing changed "
                f"(--fresh deploys again)")
            return
        if existing and fresh and not yes and not typer.confirm(
                f"Deploy a new suite on chain {existing.chain_id}, replacing {deployments}/{existing.chain_id}.json?"):
            raise OpenCommonsError("deployment cancelled")
        for address in curator + allow_token:
            if not Web3.is_address(address):
                raise OpenCommonsError(f"malformed address {address!r}")
        who = sender(w3, account, prompt=lambda text: typer.prompt(text, hide_input=True))
        deployment = deploy_suite(w3, who, deployments, settings=settings,
                                  bootstrap=Bootstrap(curators=curator, allowed_tokens=allow_token))
        for name, address in deployment.addresses.items():
            say(f"{name:22s} {address}")
        for label, value in settings.describe():
            say(f"{label:22s} {value}")
        say(f"wrote {deployments / f'{deployment.chain_id}.json'}")
    except OpenCommonsError as exc:
        fail(exc)


# ---------------------------------------------------------------------------------- contributor
contributor_app = typer.Typer(help="Register and inspect contributors.", no_args_is_help=True)


@contributor_app.command("register")
def contributor_register(name: str = typer.Option(..., "--name"), community: str = typer.Option(..., "--community"),
                         gasless: bool = typer.Option(False, "--gasless",
                                                      help="Sign with --account (a keystore); --relayer pays."),
                         relayer: Optional[str] = typer.Option(None, "--relayer"),
                         rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                         deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                         home: Optional[Path] = HomeOpt) -> None:
    """Register the account with a profile (pinned to IPFS) and a community code."""
    try:
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        profile = json.dumps({"name": name, "commons": community, "account": who.address}, sort_keys=True)
        cid = open_store(store, home, api).add_bytes(profile.encode(), 1)
        if not gasless:
            _tx("registered", commons, who, commons.registry.functions.register(cid.digest, cid.codec,
                                                                                commons_id(community)))
            return
        if not isinstance(who, KeyAccount):
            raise OpenCommonsError("--gasless needs --account KEYSTORE.json: the signer must hold its key")
        payer = _sender(commons, relayer)
        nonce = commons.registry.functions.nonces(who.address).call()
        deadline = commons.w3.eth.get_block("latest")["timestamp"] + 3600
        msg = register_message(commons.w3.eth.chain_id, commons.registry.address, who.address, cid.digest,
                               cid.codec, commons_id(community), nonce, deadline)
        sig = Account.sign_message(encode_typed_data(full_message=msg), who.account.key).signature
        _tx("registered by signature", commons, payer, commons.registry.functions.registerWithSig(
            who.address, cid.digest, cid.codec, commons_id(community), deadline, sig))
    except OpenCommonsError as exc:
        fail(exc)


@contributor_app.command("show")
def contributor_show(address: str, claim: Optional[str] = typer.Option(None, "--claim"), as_json: bool = JsonOpt,
                     rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """Show a contributor's record (and one claim's status)."""
    try:
        if not Web3.is_address(address):
            raise OpenCommonsError(f"malformed address {address!r}")
        commons = _commons(rpc, deployments)
        who = Web3.to_checksum_address(address)
        c = commons.registry.functions.contributorOf(who).call()
        data: dict[str, Any] = {"account": who, "registered": c[4],
                                "profile": str(Cid.from_chain(c[2], bytes(c[0]))) if c[2] else None,
                                "community": "0x" + bytes(c[1]).hex(), "registeredAt": c[3]}
        if claim:
            data["claim"] = claim
            data["verified"] = commons.registry.functions.isVerified(who, Web3.keccak(text=claim)).call()
        _emit(data, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@contributor_app.command("verify")
def contributor_verify(address: str, claim: str = typer.Option(..., "--claim"),
                       days: int = typer.Option(365, "--days", min=1), rpc: Optional[str] = RpcOpt,
                       account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Attest a claim about a contributor (verifier role)."""
    try:
        if not Web3.is_address(address):
            raise OpenCommonsError(f"malformed address {address!r}")
        commons = _commons(rpc, deployments)
        expires = commons.w3.eth.get_block("latest")["timestamp"] + days * 86400
        _tx("claim attested", commons, _sender(commons, account), commons.registry.functions.attestClaim(
            Web3.to_checksum_address(address), Web3.keccak(text=claim), expires))
    except OpenCommonsError as exc:
        fail(exc)


# ---------------------------------------------------------------------------------- dataset
dataset_app = typer.Typer(help="Publish, inspect, verify and attest datasets.", no_args_is_help=True)


def _contributors(values: list[str]) -> list[tuple[str, int]]:
    out = []
    for value in values:
        address, sep, bps = value.partition("=")
        if not sep or not bps.strip().isdigit():
            raise OpenCommonsError(f"malformed --contributor {value!r}: use ADDRESS=BPS")
        out.append((address.strip(), int(bps)))
    return out


def _publish(directory: Path, license_id: str, commons_code: str, contributor: list[str], parent: list[str],
             ancestor_bps: int, name: Optional[str], description: str, schema: Optional[str],
             previous: Optional[int], rpc: Optional[str], account: Optional[str], deployments: Path,
             store: str, api: Optional[str], home: Optional[Path], as_json: bool) -> None:
    commons = _commons(rpc, deployments)
    request = PublishRequest(directory, license_id, commons_code, _contributors(contributor), name or directory.name,
                             description, tuple(parse_dataset_id(p) for p in parent), ancestor_bps, schema, previous)
    result = publish(commons, _sender(commons, account), open_store(store, home, api), request)
    _emit({"dataset": str(result.dataset_id), "content": str(result.content_cid),
           "manifest": str(result.manifest_cid), "tx": result.tx_hash, "gas": result.gas_used,
           "resumed": result.resumed}, as_json)


@dataset_app.command("publish")
def dataset_publish(directory: Path, license_id: str = typer.Option(..., "--license"),
                    commons_code: str = typer.Option(..., "--commons"),
                    contributor: list[str] = typer.Option(..., "--contributor", help="ADDRESS=BPS, repeatable."),
                    parent: list[str] = typer.Option([], "--parent"), ancestor_bps: int = typer.Option(0, "--ancestor-bps"),
                    name: Optional[str] = typer.Option(None, "--name"), description: str = typer.Option("", "--description"),
                    schema: Optional[str] = typer.Option(None, "--schema"), rpc: Optional[str] = RpcOpt,
                    account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                    api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt, as_json: bool = JsonOpt) -> None:
    """Pin DIRECTORY and its manifest to IPFS and mint the dataset NFT (resumable, exactly once)."""
    try:
        _publish(directory, license_id, commons_code, contributor, parent, ancestor_bps, name, description, schema,
                 None, rpc, account, deployments, store, api, home, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("version")
def dataset_version(previous: str, directory: Path, license_id: str = typer.Option(..., "--license"),
                    commons_code: str = typer.Option(..., "--commons"),
                    contributor: list[str] = typer.Option(..., "--contributor"),
                    name: Optional[str] = typer.Option(None, "--name"), rpc: Optional[str] = RpcOpt,
                    account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                    api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt, as_json: bool = JsonOpt) -> None:
    """Publish DIRECTORY as the next version of dataset PREVIOUS."""
    try:
        _publish(directory, license_id, commons_code, contributor, [], 0, name, "", None, parse_dataset_id(previous),
                 rpc, account, deployments, store, api, home, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("show")
def dataset_show(dataset: str, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """Show a dataset (by id or content CID)."""
    try:
        commons = _commons(rpc, deployments)
        _emit(dataset_view(commons, parse_dataset_id(dataset)), as_json)
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("list")
def dataset_list(commons_code: Optional[str] = typer.Option(None, "--commons"),
                 contributor: Optional[str] = typer.Option(None, "--contributor"),
                 license_id: Optional[str] = typer.Option(None, "--license"), as_json: bool = JsonOpt,
                 rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """List datasets from the contract's events, filtered by commons, contributor or licence."""
    try:
        _emit(list_datasets(_commons(rpc, deployments), commons_code, contributor, license_id), as_json)
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("verify")
def dataset_verify(dataset: str, path: Optional[Path] = typer.Option(None, "--path", help="A local copy."),
                   rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt, store: str = StoreOpt,
                   api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Re-hash a local copy (or fetch from the store) and compare with the on-chain digest and manifest."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = parse_dataset_id(dataset)
        view = dataset_view(commons, dataset_id)
        content_store: ContentStore = open_store(store, home, api)
        manifest = json.loads(b"".join(content_store.cat(Cid.parse(view["manifest"]))))
        if manifest.get("content") != view["content"]:
            raise OpenCommonsError(f"manifest {view['manifest']} names content {manifest.get('content')}, "
                                   f"the chain records {view['content']}")
        if path is not None:
            verify_directory(commons, dataset_id, path)
            say(f"ok: {path} matches dataset {dataset_id} ({view['content']}) and its manifest")
        else:
            blocks = content_store.verify(Cid.parse(view["content"]))
            say(f"ok: {view['content']} fetched from the store ({blocks} blocks re-hashed) matches the chain")
    except OpenCommonsError as exc:
        fail(exc)


@dataset_app.command("attest")
def dataset_attest(dataset: str, kind: str = typer.Option(..., "--kind"),
                   score: int = typer.Option(..., "--score", min=0, max=10_000),
                   evidence: Optional[str] = typer.Option(None, "--evidence", help="Evidence CID."),
                   rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                   deployments: Path = DeploymentsOpt) -> None:
    """Attest a dataset (validator role)."""
    try:
        commons = _commons(rpc, deployments)
        cid = Cid.parse(evidence) if evidence else None
        _tx("attested", commons, _sender(commons, account), commons.attestations.functions.attest(
            parse_dataset_id(dataset), Web3.keccak(text=kind), score, cid.digest if cid else bytes(32),
            cid.codec if cid else 0))
    except OpenCommonsError as exc:
        fail(exc)


CURATION = {"accept": 2, "reject": 3, "retire": 4}  # IDatasetNFT.Status


@dataset_app.command("curate")
def dataset_curate(dataset: str, action: str = typer.Argument(..., help="accept, reject or retire"),
                   rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                   deployments: Path = DeploymentsOpt) -> None:
    """Accept or reject a Proposed dataset, or retire an Accepted one (curator role)."""
    try:
        if action not in CURATION:
            raise OpenCommonsError(f"unknown curation action {action!r}: use accept, reject or retire")
        commons = _commons(rpc, deployments)
        dataset_id = parse_dataset_id(dataset)
        who = _sender(commons, account)
        role = commons.nft.functions.CURATOR_ROLE().call()
        if not commons.nft.functions.hasRole(role, who.address).call():
            raise OpenCommonsError(f"account {who.address} does not hold the curator role: curate from a "
                                   "curator's account, or ask governance to grant CURATOR_ROLE")
        _tx(f"curated ({action})", commons, who, commons.nft.functions.curate(dataset_id, CURATION[action]))
    except OpenCommonsError as exc:
        fail(exc)


# ---------------------------------------------------------------------------------- license
license_app = typer.Typer(help="Offer, buy and check licences.", no_args_is_help=True)


@license_app.command("offer")
def license_offer(dataset: str, price: str = typer.Option(..., "--price"), token: Optional[str] = typer.Option(None, "--token"),
                  days: int = typer.Option(0, "--days", min=0, help="0 for perpetual."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """Offer licences to a dataset you own."""
    try:
        commons = _commons(rpc, deployments)
        tok = token_address(token)
        _tx("terms set", commons, _sender(commons, account), commons.licenses.functions.setTerms(
            parse_dataset_id(dataset), tok, parse_amount(commons, price, tok), days * 86400, bytes(32), True))
    except OpenCommonsError as exc:
        fail(exc)


@license_app.command("buy")
def license_buy(dataset: str, max_price: Optional[str] = typer.Option(None, "--max-price"),
                rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                deployments: Path = DeploymentsOpt) -> None:
    """Buy a licence at the current price (never above --max-price)."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = parse_dataset_id(dataset)
        tok, duration, active, price, document = commons.licenses.functions.termsOf(dataset_id).call()
        limit = parse_amount(commons, max_price, tok) if max_price else price
        who = _sender(commons, account)
        if active:  # the purchase is bound to exactly these terms: a change before it mines reverts
            say(f"terms: {price} {'wei' if tok == NATIVE else 'units of ' + tok}, {format_duration(duration)}, "
                f"terms document 0x{bytes(document).hex()}")
        if tok != NATIVE:
            from .chain.deploy import contract

            _tx("approved", commons, who, contract(commons.w3, "IERC20Metadata", tok).functions.approve(
                commons.licenses.address, price))
        _tx("licence bought", commons, who, commons.licenses.functions.buy(dataset_id, tok, limit, duration, document),
            value=price if tok == NATIVE else 0)
    except OpenCommonsError as exc:
        fail(exc)


@license_app.command("show")
def license_show(dataset: str, licensee: Optional[str] = typer.Option(None, "--licensee"), as_json: bool = JsonOpt,
                 rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """Show a dataset's terms and whether LICENSEE (default: the account) holds a valid licence."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = parse_dataset_id(dataset)
        who = Web3.to_checksum_address(licensee) if licensee else _sender(commons, account).address
        terms = commons.licenses.functions.termsOf(dataset_id).call()
        _emit({"dataset": str(dataset_id), "token": terms[0], "price": str(terms[3]), "durationS": terms[1],
               "forSale": terms[2], "licensee": who,
               "valid": commons.licenses.functions.hasValidLicense(who, dataset_id).call(),
               "expiresAt": commons.licenses.functions.licenseExpiry(who, dataset_id).call()}, as_json)
    except OpenCommonsError as exc:
        fail(exc)


# ---------------------------------------------------------------------------------- royalties
royalties_app = typer.Typer(help="Pay, inspect, claim and settle royalties.", no_args_is_help=True)


@royalties_app.command("pay")
def royalties_pay(dataset: str, amount: str, token: Optional[str] = typer.Option(None, "--token"),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """Pay AMOUNT (ETH, or units of --token) to a dataset's contributors."""
    try:
        commons = _commons(rpc, deployments)
        tok = token_address(token)
        wei = parse_amount(commons, amount, tok)
        who = _sender(commons, account)
        if tok != NATIVE:
            from .chain.deploy import contract

            _tx("approved", commons, who, contract(commons.w3, "IERC20Metadata", tok).functions.approve(
                commons.vault.address, wei))
        _tx("paid", commons, who, commons.vault.functions.pay(parse_dataset_id(dataset), tok, wei),
            value=wei if tok == NATIVE else 0)
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("balance")
def royalties_balance(dataset: list[str] = typer.Option(..., "--dataset"), token: list[str] = typer.Option(["eth"], "--token"),
                      of: Optional[str] = OfOpt,
                      as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                      deployments: Path = DeploymentsOpt) -> None:
    """What an account can claim, per dataset and token."""
    try:
        commons = _commons(rpc, deployments)
        who = _account_of(commons, of, account)
        rows = [{"dataset": str(d), "token": t,
                 "claimable": str(commons.vault.functions.claimable(d, t, who).call())}
                for d in map(parse_dataset_id, dataset) for t in map(token_address, token)]
        _emit(rows, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("claim")
def royalties_claim(dataset: list[str] = typer.Option(..., "--dataset"), token: list[str] = typer.Option(["eth"], "--token"),
                    rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                    deployments: Path = DeploymentsOpt) -> None:
    """Claim everything owed from these datasets in these tokens (one transfer per token)."""
    try:
        commons = _commons(rpc, deployments)
        _tx("claimed", commons, _sender(commons, account), commons.vault.functions.claim(
            [parse_dataset_id(d) for d in dataset], [token_address(t) for t in token]))
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("settle")
def royalties_settle(dataset: list[str], token: Optional[str] = typer.Option(None, "--token"),
                     rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                     deployments: Path = DeploymentsOpt) -> None:
    """Pass the pending ancestor share of each DATASET (bottom-up) to its parents."""
    try:
        commons = _commons(rpc, deployments)
        _tx("settled", commons, _sender(commons, account), commons.vault.functions.settle(
            [parse_dataset_id(d) for d in dataset], token_address(token)))
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("collect")
def royalties_collect(dataset: str, token: list[str] = typer.Option(["eth"], "--token",
                                                                    help="eth or an ERC-20 address (repeat)."),
                      rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                      deployments: Path = DeploymentsOpt) -> None:
    """Bring what marketplaces sent to DATASET's ERC-2981 receiver into the vault, per token:
    allow-listed tokens are credited to its contributors, others held until governance allows them."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = parse_dataset_id(dataset)
        who = _sender(commons, account)
        receiver = commons.vault.functions.royaltyReceiverOf(dataset_id).call()
        for tok in map(token_address, token):
            receipt = _tx(f"collected {'ETH' if tok == NATIVE else tok} from {receiver}", commons, who,
                          commons.vault.functions.collect(dataset_id, tok))
            for event in commons.vault.events.RoyaltyHeld().process_receipt(receipt):
                say(f"held {event['args']['amount']} of {tok} for dataset {dataset_id}: the token is not "
                    f"allow-listed (a governance proposal can allow it; collect again then)")
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("sweep")
def royalties_sweep(token: str = typer.Option("eth", "--token"), rpc: Optional[str] = RpcOpt,
                    account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Send what the vault holds above everything it owes (sent by mistake) to the treasury."""
    try:
        commons = _commons(rpc, deployments)
        _tx("swept to the treasury", commons, _sender(commons, account),
            commons.vault.functions.sweep(token_address(token)))
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("forfeit")
def royalties_forfeit(dataset: str, generation: int = typer.Option(..., "--generation",
                                                                   help="The burnt generation (0 for the first)."),
                      token: list[str] = typer.Option(["eth"], "--token"), rpc: Optional[str] = RpcOpt,
                      account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Send a burnt generation's unclaimed royalties of DATASET to the treasury."""
    try:
        if not 0 <= generation < 2**16:
            raise OpenCommonsError(f"generation {generation} is out of range 0..65535")
        commons = _commons(rpc, deployments)
        _tx("forfeited to the treasury", commons, _sender(commons, account), commons.vault.functions.forfeit(
            parse_dataset_id(dataset), generation, [token_address(t) for t in token]))
    except OpenCommonsError as exc:
        fail(exc)


# ---------------------------------------------------------------------------------- rewards
rewards_app = typer.Typer(help="Claim the governance-token rewards of accepted datasets.", no_args_is_help=True)


@rewards_app.command("balance")
def rewards_balance(dataset: list[str] = typer.Option(..., "--dataset"),
                    of: Optional[str] = OfOpt,
                    as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                    deployments: Path = DeploymentsOpt) -> None:
    """The reward an account can still claim, per dataset (OCT units)."""
    try:
        commons = _commons(rpc, deployments)
        who = _account_of(commons, of, account)
        _emit([{"dataset": str(d), "claimable": str(commons.rewards.functions.claimableOf(d, who).call())}
               for d in map(parse_dataset_id, dataset)], as_json)
    except OpenCommonsError as exc:
        fail(exc)


@rewards_app.command("claim")
def rewards_claim(dataset: list[str] = typer.Option(..., "--dataset"),
                  for_: Optional[str] = typer.Option(None, "--for", help="Claim for this account (it gets the tokens)."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """Mint your (or --for's) part of the rewards of these datasets."""
    try:
        if for_ is not None and not Web3.is_address(for_):
            raise OpenCommonsError(f"malformed address {for_!r}")
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        beneficiary = Web3.to_checksum_address(for_) if for_ else who.address
        _tx("reward claimed", commons, who, commons.rewards.functions.claimFor(
            beneficiary, [parse_dataset_id(d) for d in dataset]))
    except OpenCommonsError as exc:
        fail(exc)


# ---------------------------------------------------------------------------------- governance
gov_app = typer.Typer(help="Delegate, propose, vote, queue, execute.", no_args_is_help=True)
SUPPORT = {"against": 0, "for": 1, "abstain": 2}


@gov_app.command("delegate")
def gov_delegate(to: str, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """Delegate your voting power."""
    try:
        if not Web3.is_address(to):
            raise OpenCommonsError(f"malformed address {to!r}")
        commons = _commons(rpc, deployments)
        _tx("delegated", commons, _sender(commons, account),
            commons.token.functions.delegate(Web3.to_checksum_address(to)))
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("propose")
def gov_propose(accept: Optional[str] = typer.Option(None, "--accept", help="Dataset to accept."),
                reward: str = typer.Option("0", "--reward", help="Tokens its contributors may claim (with --accept)."),
                burn: Optional[str] = typer.Option(None, "--burn", help="Rejected (squatted) dataset to burn, so its "
                                                                        "rightful publisher can publish it."),
                description: Optional[str] = typer.Option(None, "--description"), rpc: Optional[str] = RpcOpt,
                account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Propose accepting a dataset and rewarding its contributors, or burning a squatted one."""
    try:
        if (accept is None) == (burn is None):
            raise OpenCommonsError("name exactly one of --accept ID or --burn ID")
        commons = _commons(rpc, deployments)
        if accept is not None:
            dataset_id = parse_dataset_id(accept)
            reward_wei = 0 if reward == "0" else parse_amount(commons, reward, NATIVE)
            targets, calldatas = accept_and_reward_actions(commons, dataset_id, reward_wei)
            text = description or f"Accept dataset {dataset_id} and reward its contributors ({reward} OCT) [{time.time()}]"
        else:
            dataset_id = parse_dataset_id(str(burn))
            if commons.nft.functions.statusOf(dataset_id).call() != 3:
                raise OpenCommonsError(f"dataset {dataset_id} is not Rejected: only a Rejected dataset can be burnt")
            targets = [commons.nft.address]
            calldatas = [bytes.fromhex(commons.nft.encode_abi("burn", [dataset_id])[2:])]
            text = description or f"Burn squatted dataset {dataset_id} [{time.time()}]"
        receipt = _tx("proposed", commons, _sender(commons, account),
                      commons.governor.functions.propose(targets, [0] * len(targets), calldatas, text))
        proposal_id = commons.governor.events.ProposalCreated().process_receipt(receipt)[0]["args"]["proposalId"]
        say(f"proposal {proposal_id}")
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("vote")
def gov_vote(proposal: int, support: str, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
             deployments: Path = DeploymentsOpt) -> None:
    """Vote for, against or abstain."""
    try:
        if support.lower() not in SUPPORT:
            raise OpenCommonsError(f"invalid vote {support!r}: use for, against or abstain")
        commons = _commons(rpc, deployments)
        _tx("voted", commons, _sender(commons, account),
            commons.governor.functions.castVote(proposal, SUPPORT[support.lower()]))
    except OpenCommonsError as exc:
        fail(exc)


def _run_proposal_step(step: str, label: str, proposal: int, rpc: Optional[str], account: Optional[str],
                       deployments: Path) -> None:
    """queue/execute take the proposal's actions again: they are recovered from its event."""
    try:
        commons = _commons(rpc, deployments)
        p = find_proposal(commons, proposal)
        fn = getattr(commons.governor.functions, step)(p.targets, p.values, p.calldatas, p.description_hash)
        _tx(label, commons, _sender(commons, account), fn)
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("queue")
def gov_queue(proposal: int, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
              deployments: Path = DeploymentsOpt) -> None:
    """Queue a passed proposal in the timelock."""
    _run_proposal_step("queue", "queued", proposal, rpc, account, deployments)


@gov_app.command("execute")
def gov_execute(proposal: int, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                deployments: Path = DeploymentsOpt) -> None:
    """Execute a queued proposal once the timelock delay has passed."""
    _run_proposal_step("execute", "executed", proposal, rpc, account, deployments)


@gov_app.command("status")
def gov_status(proposal: int, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt,
               deployments: Path = DeploymentsOpt) -> None:
    """A proposal's state and tallies."""
    try:
        _emit(proposal_view(_commons(rpc, deployments), proposal), as_json)
    except OpenCommonsError as exc:
        fail(exc)
