"""The mission story on a local chain: a factory launches two commons (KE/education, BR/health);
register, publish, license, pay, royalties crossing commons, claim, vote.

Runs against a Ganache it starts itself (or a given RPC URL with unlocked development accounts)
and an embedded IPFS store in a temporary home.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3
from web3.logs import DISCARD

from .chain.provider import web3_for
from .chain.commons_config import default_spec
from .chain.deploy import Deployment, deploy_contract, deployment_path
from .chain.factory import create_commons, deploy_factory
from .chain.localnode import LocalChain
from .chain.transactions import NodeAccount, transact
from .chain.typed_data import register_message
from .errors import OpenCommonsError
from .ipfs.importer import Importer
from .ipfs.content import EmbeddedContent
from .ipfs.store import EmbeddedStore, read_document
from .licensing import documents, odrl
from .publish import PublishRequest, commons_id, publish, verify_directory
from .references import link_of
from .queries import Proposal
from .suite import Commons
from . import present, trust

SAMPLES = Path(__file__).resolve().parent / "data" / "sample"
NATIVE = "0x0000000000000000000000000000000000000000"
ETH = 10**18
ACCEPTED = 2

Say = Callable[[str], None]


def run_demo(say: Say, rpc: str | None = None, deployments_dir: Path | None = None,
             keep: bool = False) -> dict[str, object]:
    """The whole story on `rpc`, or on a Ganache started for it (kept running with `keep` until
    Ctrl-C, for trying the next steps on it)."""
    started = time.monotonic()
    node = None
    if rpc is None:
        node = LocalChain("ganache").start()
        rpc = node.url
        say(f"[step] Ganache 7.9.2 (Shanghai) started on {rpc}")
    try:
        result = _story(say, web3_for(rpc), deployments_dir, started)
        _next_steps(say, rpc, running=node is None or keep, dataset=int(str(result["derived"])))
        if node is not None and keep:
            say(f"[keep] Ganache keeps running on {rpc}: Ctrl-C stops it")
            while True:
                time.sleep(3600)
        return result
    finally:
        if node is not None:
            node.stop()
            say("[step] Ganache stopped")


def _next_steps(say: Say, rpc: str, running: bool, dataset: int) -> None:
    """What to try next, on this chain while it runs (`commons demo --keep`), or anywhere."""
    say("[next] what to try next:")
    if running:
        say(f"  commons dapp --rpc {rpc}                         # the wallet and explorer in a browser")
        say(f"  commons license show {dataset} --rpc {rpc}   # what the derived dataset's licence permits")
    else:
        say("  commons demo --keep                 # the same story, then the chain keeps running to explore")
    say("  commons license terms new           # the licence terms presets (ODRL), then --preset NAME -o FILE")
    say("  commons deploy && commons dataset publish DIR --license CC-BY-4.0 --commons KE/education "
        "--contributor ADDR=10000   # your own data")
    say("  README.md: every command; NOTES.md: what was measured")


def _story(say: Say, w3: Web3, deployments_dir: Path | None, started: float) -> dict[str, object]:
    if not w3.is_connected():
        raise OpenCommonsError("chain unreachable")
    accounts = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
    operator, amina, baraka, voter, consumer = (NodeAccount(a) for a in accounts[:5])
    chebet = Account.create()  # gasless: never holds ETH

    def tx(label: str, sender: NodeAccount, fn, value: int = 0):  # type: ignore[no-untyped-def]
        receipt = transact(w3, sender, fn, value=value)
        say(f"  {label:<46} tx {receipt['transactionHash'].to_0x_hex()[:18]}…  gas {receipt['gasUsed']:>9,}")
        return receipt

    # 1. deploy -------------------------------------------------------------------------------
    say("[step] 1. Deploy the CommonsFactory once; launch two commons, one transaction each")
    tusd = deploy_contract(w3, operator, "MockERC20", "Test Dollar", "TUSD")
    directory = deployments_dir
    if deployments_dir is not None and deployment_path(deployments_dir, w3.eth.chain_id).exists():
        say(f"  {deployment_path(deployments_dir, w3.eth.chain_id)} exists: left as it was "
            "(the demo's commons are not recorded there)")
        directory = None
    directory = directory or Path(tempfile.mkdtemp(prefix="opencommons-deployments-"))
    factory = deploy_factory(w3, operator, directory)
    say(f"  CommonsFactory         {factory['address']}  (eight templates and the NFT deployer beside it)")
    launched: dict[str, Commons] = {}
    for code, name, symbol in (("KE/education", "Kenya Education Commons", "KEDU"),
                               ("BR/health", "Brazil Health Commons", "SAUDE")):
        spec = default_spec(code, name, w3.eth.chain_id, operator.address)
        spec.token_name, spec.token_symbol = name, symbol
        spec.curators, spec.verifiers, spec.allowed_tokens = [operator.address], [operator.address], [tusd.address]
        create_commons(w3, operator, directory, spec,
                       report=lambda code, what: say(f"  {code:<22} {what}"))
        launched[code] = Commons(w3, Deployment.from_file(deployment_path(directory, w3.eth.chain_id))
                                 .for_commons(code))
    commons, health = launched["KE/education"], launched["BR/health"]
    deployment = commons.deployment
    for name, address in deployment.addresses.items():
        say(f"  KE/education {name:<22} {address}")
    say(f"  test ERC-20 (TUSD)     {tusd.address}  (allow-listed at launch in both)")

    # 2. contributors -------------------------------------------------------------------------
    say("[step] 2. Register three contributors (Chebet gaslessly, by an EIP-712 signature)")
    ipfs_home = Path(tempfile.mkdtemp(prefix="opencommons-ipfs-"))
    store = EmbeddedStore(ipfs_home)
    community = commons_id("KE/education")

    def profile(name: str) -> tuple[bytes, int]:
        cid = Importer(1, sink=store).add_bytes(json.dumps({"name": name, "commons": "KE/education"}).encode()).cid
        store.pin(cid)
        return cid.digest, cid.codec

    for person, name in ((amina, "Amina"), (baraka, "Baraka")):
        digest, codec = profile(name)
        tx(f"{name} registers", person, commons.registry.functions.register(digest, codec, community))
    digest, codec = profile("Chebet")
    deadline = w3.eth.get_block("latest")["timestamp"] + 3600
    msg = register_message(w3.eth.chain_id, commons.registry.address, chebet.address, digest, codec, community, 0,
                           deadline)
    sig = Account.sign_message(encode_typed_data(full_message=msg), chebet.key).signature
    tx("Chebet registers by signature (operator relays)", operator, commons.registry.functions.registerWithSig(
        chebet.address, digest, codec, community, deadline, sig))
    if commons.has_houses:
        identity = commons.house.functions.claimType().call()
        expires = w3.eth.get_block("latest")["timestamp"] + 365 * 86_400
        for name, person in (("Amina", amina), ("Baraka", baraka)):
            tx(f"verifier attests {name}'s identity: one vote in the contributors' house", operator,
               commons.registry.functions.attestClaim(person.address, identity, expires))
        say(f"  the contributors' house has {commons.house.functions.totalMembers().call()} members (Chebet is not "
            "verified: no vote)")

    # 3. publish ------------------------------------------------------------------------------
    say("[step] 3. Publish the sample dataset and a derived dataset (pinned to IPFS, CIDs on-chain)")
    content_store = EmbeddedContent(store)
    journal = ipfs_home / "journal"
    base = publish(commons, amina, content_store, PublishRequest(
        SAMPLES / "kenya-counties", "CC0-1.0", "KE/education",
        [(amina.address, 5000), (baraka.address, 3000), (chebet.address, 2000)],
        name="The 47 counties of Kenya"), journal)
    say(f"  KE/education dataset {base.dataset_id}")
    say(f"    link {link_of(commons, base.dataset_id)}")
    say(f"    content {base.content_cid}   manifest {base.manifest_cid}")
    say(f"    tx {base.tx_hash}  gas {base.gas_used:,}")
    derived = publish(commons, baraka, content_store, PublishRequest(
        SAMPLES / "kenya-counties-by-province", "CC0-1.0", "KE/education",
        [(baraka.address, 7000), (amina.address, 3000)], name="Kenya's counties by former province",
        parents=(base.dataset_id,), ancestor_bps=1000), journal)
    say(f"  KE/education derived dataset {derived.dataset_id} (10% of its income goes to its parent)")
    say(f"    content {derived.content_cid}   manifest {derived.manifest_cid}")
    say(f"    tokenURI {commons.nft.functions.tokenURI(derived.dataset_id).call()}")

    # 4. licence --------------------------------------------------------------------------------
    say("[step] 4. A curator accepts the derived dataset; a consumer buys a licence")
    tx("curator accepts the derived dataset", operator, commons.nft.functions.curate(derived.dataset_id, ACCEPTED))
    # the terms say what the licence permits: an ODRL document pinned beside the data, its digest on-chain
    terms = documents.bind(commons, derived.dataset_id, odrl.preset(
        "open-attribution", attribution="Kenya's counties by former province, OpenCommons KE/education"))
    digest, terms_cid = documents.pin(content_store, odrl.to_document(terms))
    tx("Baraka offers licences at 0.01 ETH / 365 days", baraka, commons.licenses.functions.setTerms(
        derived.dataset_id, NATIVE, ETH // 100, 365 * 86400, digest, True))
    _, read = documents.fetch(store, bytes(commons.licenses.functions.termsOf(derived.dataset_id).call()[4]),
                              "the terms document")
    say(f"  the consumer reads the terms before paying ({terms_cid}):")
    for line in odrl.summary(read):
        say(f"    {line}")
    tx("consumer buys a licence under them", consumer, commons.licenses.functions.buy(
        derived.dataset_id, NATIVE, ETH // 100, 365 * 86400, digest),
       value=ETH // 100)
    valid = commons.licenses.functions.hasValidLicense(consumer.address, derived.dataset_id).call()
    say(f"  consumer holds a valid licence: {valid}")

    # 5. royalties --------------------------------------------------------------------------------
    say("[step] 5. Royalties in ETH and in the test ERC-20; the ancestor share is settled")
    tx("consumer pays 1 ETH to the sample dataset", consumer,
       commons.vault.functions.pay(base.dataset_id, NATIVE, ETH), value=ETH)
    tx("consumer gets 1,000 TUSD", consumer, tusd.functions.mint(consumer.address, 1000 * ETH))
    tx("consumer approves the vault", consumer, tusd.functions.approve(commons.vault.address, 1000 * ETH))
    tx("consumer pays 1,000 TUSD to the sample dataset", consumer,
       commons.vault.functions.pay(base.dataset_id, tusd.address, 1000 * ETH))
    pending = commons.vault.functions.pendingAncestorOf(derived.dataset_id, NATIVE).call()
    tx(f"settle {pending} wei of ancestor share upwards", voter,
       commons.vault.functions.settle([derived.dataset_id], NATIVE))

    # 5b. across commons ------------------------------------------------------------------------
    say("[step] 5b. Across commons: BR/health derives a dataset from KE/education's sample; 10% of its "
        "income reaches the Kenyan contributors")
    receiver = commons.vault.functions.royaltyReceiverOf(base.dataset_id).call()
    tx("KE deploys the sample dataset's receiver", operator,
       commons.vault.functions.collect(base.dataset_id, NATIVE))
    digest, codec = profile(f"KE/education dataset {base.dataset_id:#x}")
    tx("BR verifier registers that receiver", operator, health.registry.functions.registerContract(
        commons.vault.address, base.dataset_id, digest, codec, commons_id("BR/health")))
    lucas = NodeAccount(accounts[5])
    digest, codec = profile("Lucas")
    tx("Lucas registers in BR/health", lucas, health.registry.functions.register(
        digest, codec, commons_id("BR/health")))
    cross = publish(health, lucas, content_store, PublishRequest(
        SAMPLES / "kenya-counties-by-province", "CC0-1.0", "BR/health",
        [(lucas.address, 9000), (receiver, 1000)], name="Kenyan counties as a reference for health regions"),
        journal)
    say(f"  BR/health dataset {cross.dataset_id}: 90% Lucas, 10% the KE/education dataset's receiver")
    tx("consumer pays 1 ETH to the BR/health dataset", consumer,
       health.vault.functions.pay(cross.dataset_id, NATIVE, ETH), value=ETH)
    tx("anyone forwards the KE share out of BR's vault", voter,
       health.vault.functions.claimFor(receiver, [cross.dataset_id], [NATIVE]))
    receipt = tx("anyone collects it into KE's sample pool", voter,
                 commons.vault.functions.collect(base.dataset_id, NATIVE))
    crossed = commons.vault.events.ReceiverCollected().process_receipt(receipt, errors=DISCARD)[0]["args"]["amount"]
    say(f"  {crossed / ETH:.6f} ETH crossed from BR/health to the contributors of KE dataset {base.dataset_id}")

    # 6. claims ---------------------------------------------------------------------------------
    say("[step] 6. Contributors claim (pull); Chebet's claim is relayed to Chebet's own address")
    ids = [base.dataset_id, derived.dataset_id]
    for label, who in (("Amina", amina), ("Baraka", baraka)):
        before = w3.eth.get_balance(Web3.to_checksum_address(who.address))
        receipt = tx(f"{label} claims ETH and TUSD", who, commons.vault.functions.claim(ids, [NATIVE, tusd.address]))
        gained = w3.eth.get_balance(Web3.to_checksum_address(who.address)) - before + receipt["gasUsed"] * receipt["effectiveGasPrice"]
        say(f"    {label}: +{gained / ETH:.6f} ETH, {tusd.functions.balanceOf(who.address).call() / ETH:,.2f} TUSD")
    tx("operator relays Chebet's claim", operator,
       commons.vault.functions.claimFor(chebet.address, ids, [NATIVE, tusd.address]))
    say(f"    Chebet: {w3.eth.get_balance(chebet.address) / ETH:.6f} ETH, "
        f"{tusd.functions.balanceOf(chebet.address).call() / ETH:,.2f} TUSD, never paid gas")

    # 7. governance ---------------------------------------------------------------------------------
    say("[step] 7. Governance: accept the sample dataset and reward its contributors")
    tx("operator sends 100,000 OCT to a voter (auto-delegated)", operator,
       commons.token.functions.transfer(voter.address, 100_000 * ETH))
    targets = [commons.nft.address, commons.rewards.address]
    calldatas = [commons.nft.encode_abi("curate", [base.dataset_id, ACCEPTED]),
                 commons.rewards.encode_abi("reward", [base.dataset_id, 1_000 * ETH])]
    description = f"Accept dataset {base.dataset_id} and reward its contributors with 1,000 OCT"
    houses = trust.houses(commons)
    for h, (label, who) in zip(houses, (("voter", voter), ("Amina", amina))):
        receipt = tx(f"{label} proposes it in {h.words}", who,
                     h.governor.functions.propose(targets, [0, 0], calldatas, description))
    proposal_id = houses[0].governor.events.ProposalCreated().process_receipt(receipt)[0]["args"]["proposalId"]
    _mine(w3, commons.governor.functions.votingDelay().call() + 1)
    tx("voter votes For in the token house", voter, commons.governor.functions.castVote(proposal_id, 1))
    tx("operator votes For in the token house", operator, commons.governor.functions.castVote(proposal_id, 1))
    if len(houses) > 1:
        for label, who in (("Amina", amina), ("Baraka", baraka)):
            tx(f"{label} votes For in the contributors' house (one vote, a verified contributor)", who,
               houses[1].governor.functions.castVote(proposal_id, 1))
    _mine(w3, commons.governor.functions.votingPeriod().call() + 1)
    desc_hash = Web3.keccak(text=description)
    needs = trust.required(commons, targets, [bytes.fromhex(c[2:]) for c in calldatas])
    say(f"  the charter asks {present.HOUSE_NEEDS[needs]} of these calls; both houses passed them")
    p = Proposal(proposal_id, list(targets), [0, 0], [bytes.fromhex(c[2:]) for c in calldatas], description)
    tx("queue in the timelock (through the charter)", voter, trust.queue_call(commons, houses[0], p))
    w3.provider.make_request("evm_increaseTime", [commons.timelock.functions.getMinDelay().call() + 1])  # type: ignore[arg-type]
    _mine(w3, 1)
    tx("execute", voter, commons.governor.functions.execute(targets, [0, 0], calldatas, desc_hash))
    status = commons.nft.functions.statusOf(base.dataset_id).call()
    say(f"  dataset status: {'Accepted' if status == ACCEPTED else status}")
    for label, address in (("Amina", amina.address), ("Baraka", baraka.address), ("Chebet", chebet.address)):
        tx(f"{label}'s reward claimed (pull; anyone may send it)", voter,
           commons.rewards.functions.claimFor(address, [base.dataset_id]))
        votes = commons.token.functions.getVotes(address).call()
        say(f"    {label} now holds {votes / ETH:,.0f} votes (no delegate transaction needed)")

    # 8. verify -------------------------------------------------------------------------------
    say("[step] 8. Verify: re-hash the local copy, and re-read the manifest from IPFS")
    cid = verify_directory(commons, base.dataset_id, SAMPLES / "kenya-counties")
    manifest = read_document(store, base.manifest_cid, "manifest")
    if manifest["content"] != str(cid):
        raise OpenCommonsError("manifest names another content CID")
    say(f"  dataset {base.dataset_id}: local copy and IPFS manifest both match {cid}")
    seconds = round(time.monotonic() - started, 1)
    say(f"[done] the whole story ran in {seconds} s")
    return {"dataset": base.dataset_id, "derived": derived.dataset_id, "seconds": seconds,
            "proposal": proposal_id, "deployment": deployment.addresses, "cross_commons": cross.dataset_id,
            "crossed_wei": crossed}


def _mine(w3: Web3, blocks: int) -> None:
    for _ in range(blocks):
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


__all__ = ["run_demo"]
