"""What each role does on-chain, owned by the library: registering, paying, claiming, buying a
licence, voting. The command line and the Python SDK (:class:`opencommons.sdk.Client`) call these
and only present what they return; each refuses in one line before sending anything that would
revert or do nothing.

`report(label, receipt)`, when given, hears of every transaction sent (an ERC-20 approval
included), in order."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web3 import Web3

from .chain.transactions import Sender, transact
from .errors import OpenCommonsError
from .suite import Commons

NATIVE = "0x0000000000000000000000000000000000000000"
#: DatasetNFT's status of a dataset taken down by an upheld dispute
SUSPENDED = 5
#: the governor's vote values
SUPPORT = {"against": 0, "for": 1, "abstain": 2}

Report = Callable[[str, Any], None]


def send(commons: Commons, who: Sender, label: str, fn: Any, value: int = 0, through: tuple[str, ...] = (),
         report: Report | None = None) -> Any:
    """Sends `fn` from `who` and waits; `through` names the contracts it runs through (their
    implementations go in the access list when the commons is factory-made)."""
    receipt = transact(commons.w3, who, fn, value=value,
                       access_list=commons.access_list(*through) if through else None)
    if report is not None:
        report(label, receipt)
    return receipt


def approve(commons: Commons, who: Sender, token: str, spender: str, amount: int,
            report: Report | None = None) -> Any:
    """ERC-20 `approve` before a payment, refused first when governance has not allow-listed the
    token (so no allowance is left behind for a payment that would revert)."""
    from .chain.deploy import contract

    if not commons.vault.functions.isTokenAllowed(token).call():
        raise OpenCommonsError(f"token {token} is not allow-listed by this commons: nothing approved or paid "
                               f"(governance allow-lists tokens: `commons gov propose --allow-token {token}`)")
    return send(commons, who, "approved", contract(commons.w3, "IERC20Metadata", token).functions.approve(
        spender, amount), report=report)


def register(commons: Commons, who: Sender, store: Any, name: str, community: str,
             report: Report | None = None) -> tuple[Any, Any]:
    """Registers `who` with a profile (pinned to `store`) in `community`: (receipt, profile CID)."""
    from .publish import commons_id

    if commons.registry.functions.isRegistered(who.address).call():
        raise OpenCommonsError(f"{who.address} is registered already: nothing sent")
    profile = json.dumps({"name": name, "commons": community, "account": who.address}, sort_keys=True)
    cid = store.add_bytes(profile.encode(), 1)
    receipt = send(commons, who, "registered", commons.registry.functions.register(
        cid.digest, cid.codec, commons_id(community)), report=report)
    return receipt, cid


def pay(commons: Commons, who: Sender, dataset_id: int, amount: int, token: str = NATIVE,
        report: Report | None = None) -> Any:
    """Pays `amount` (wei, or units of `token`) to a dataset's contributors."""
    if amount <= 0:
        raise OpenCommonsError(f"the amount must be above zero, not {amount}")
    if commons.nft.functions.statusOf(dataset_id).call() == SUSPENDED:
        raise OpenCommonsError(f"dataset {dataset_id} is taken down (a dispute against it was upheld: "
                               f"`commons dispute show`): it takes no payment (nothing sent)")
    if token != NATIVE:
        approve(commons, who, token, commons.vault.address, amount, report)
    return send(commons, who, "paid", commons.vault.functions.pay(dataset_id, token, amount),
                value=amount if token == NATIVE else 0, through=("RoyaltyVault",), report=report)


@dataclass(frozen=True)
class Claimed:
    receipt: Any
    #: for whom the money went
    owner: str
    #: token -> amount claimed (tokens with nothing owed left out)
    amounts: dict[str, int]


def claim(commons: Commons, who: Sender, dataset_ids: list[int], tokens: list[str], for_: str | None = None,
          report: Report | None = None) -> Claimed:
    """Claims everything owed to `who` (or, gas paid by `who`, to `for_`) from these datasets in
    these tokens: one transfer per token. Refused when nothing is owed (saying so when a Rejected
    dataset's royalties are frozen)."""
    vault = commons.vault.functions
    owner = who.address if for_ is None else Web3.to_checksum_address(for_)
    owed = {t: sum(vault.claimable(d, t, owner).call() for d in dataset_ids) for t in tokens}
    if not any(owed.values()):
        frozen = _frozen(commons, dataset_ids, tokens, owner)
        raise OpenCommonsError(f"{owner} has nothing to claim from these datasets in these tokens: nothing sent"
                               + (f" ({frozen})" if frozen else ""))
    fn = vault.claim(dataset_ids, tokens) if for_ is None else vault.claimFor(owner, dataset_ids, tokens)
    receipt = send(commons, who, "claimed", fn, through=("RoyaltyVault",), report=report)
    return Claimed(receipt, owner, {t: a for t, a in owed.items() if a})


def _frozen(commons: Commons, dataset_ids: list[int], tokens: list[str], owner: str) -> str:
    """Why a contributor of a Rejected or taken-down dataset sees nothing to claim (its royalties
    are frozen), or one that has not consented (its share is held)."""
    from .queries import format_amount

    nft, vault = commons.nft.functions, commons.vault.functions
    gate = vault.consentGate().call()
    if int(gate, 16):
        from .chain.deploy import contract

        rights = contract(commons.w3, "DatasetRights", gate).functions
        waiting = [d for d in dataset_ids if nft.shareOf(d, owner).call()
                   and not rights.hasConsented(d, owner).call() and nft.statusOf(d).call() not in (3, SUSPENDED)]
        if waiting:
            return (f"this commons pays a contributor once it consented: your share of dataset {waiting[0]} is held "
                    f"until you consent (`commons consent give {waiting[0]}`)")
    for d in dataset_ids:
        status, generation = nft.statusAndGenerationOf(d).call()
        if status not in (3, SUSPENDED) or not nft.shareOf(d, owner).call():
            continue
        held = [(t, vault.poolAt(d, generation, t).call()[1]) for t in tokens]
        amounts = ", ".join(format_amount(commons, a, t) for t, a in held if a)
        if amounts and status == SUSPENDED:
            return (f"dataset {d} is taken down by an upheld dispute: its royalties ({amounts}) stay frozen until "
                    "an appeal reinstates it, or are forfeited to the treasury once the takedown is final")
        if status == SUSPENDED:
            return (f"dataset {d} is taken down by an upheld dispute: nothing of it is left to claim (its royalties "
                    "were claimed before, or forfeited to the treasury)")
        if amounts:
            return (f"dataset {d} is Rejected: its royalties ({amounts}) stay frozen until governance reinstates it, "
                    "or burns it and they are forfeited to the treasury")
    return ""


@dataclass(frozen=True)
class Moved:
    """What a money transaction moved: token -> amount, and to whom."""

    receipt: Any
    amounts: dict[str, int]
    to: str


def forfeit(commons: Commons, who: Sender, dataset_id: int, generation: int, tokens: list[str],
            report: Report | None = None) -> Moved:
    """Sends a burnt generation's unclaimed royalties of `dataset_id` to the treasury (its
    parents' pending share to them); says what moved, nothing when nothing was left."""
    from web3.logs import DISCARD

    current = commons.nft.functions.generationOf(dataset_id).call()
    if not 0 <= generation < current:
        raise OpenCommonsError(f"generation {generation} of dataset {dataset_id} is not a burnt one (the id is at "
                               f"generation {current}): only a burnt generation's royalties are forfeited")
    receipt = send(commons, who, "forfeited to the treasury", commons.vault.functions.forfeit(
        dataset_id, generation, tokens), report=report)
    moved: dict[str, int] = {}
    for event in commons.vault.events.RoyaltyForfeited().process_receipt(receipt, errors=DISCARD):
        moved[event["args"]["token"]] = moved.get(event["args"]["token"], 0) + int(event["args"]["amount"])
    return Moved(receipt, moved, commons.vault.functions.protocolFee().call()[1])


def sweep(commons: Commons, who: Sender, token: str, report: Report | None = None) -> Moved:
    """Sends what the vault holds in `token` above everything it owes to the treasury."""
    from web3.logs import DISCARD

    receipt = send(commons, who, "swept", commons.vault.functions.sweep(token), report=report)
    events = commons.vault.events.Swept().process_receipt(receipt, errors=DISCARD)
    treasury = events[0]["args"]["treasury"] if events else commons.vault.functions.protocolFee().call()[1]
    return Moved(receipt, {token: int(events[0]["args"]["amount"])} if events else {}, treasury)


def collect(commons: Commons, who: Sender, dataset_id: int, token: str, report: Report | None = None) -> tuple[Any, int, int]:
    """Brings what marketplaces sent to a dataset's ERC-2981 receiver into the vault: (receipt,
    amount collected, amount of it held because the token is not allow-listed)."""
    from web3.logs import DISCARD

    receiver = commons.vault.functions.royaltyReceiverOf(dataset_id).call()
    label = f"collected {'ETH' if token == NATIVE else token} from {receiver}"
    receipt = send(commons, who, label, commons.vault.functions.collect(dataset_id, token), report=report)
    collected = sum(int(e["args"]["amount"]) for e in
                    commons.vault.events.ReceiverCollected().process_receipt(receipt, errors=DISCARD))
    held = sum(int(e["args"]["amount"]) for e in commons.vault.events.RoyaltyHeld().process_receipt(receipt, errors=DISCARD))
    return receipt, collected, held


@dataclass(frozen=True)
class Terms:
    token: str
    duration_s: int
    for_sale: bool
    price: int
    document: bytes


def terms_of(commons: Commons, dataset_id: int) -> Terms:
    """The licence terms a dataset offers now."""
    token, duration, active, price, document = commons.licenses.functions.termsOf(dataset_id).call()
    return Terms(token, int(duration), bool(active), int(price), bytes(document))


def offer_licence(commons: Commons, who: Sender, dataset_id: int, price: int, duration_s: int = 0,
                  token: str = NATIVE, document: bytes = bytes(32), report: Report | None = None) -> Any:
    """Offers licences to a dataset `who` owns: `price` in wei (or units of `token`), for
    `duration_s` seconds (0: perpetual), under the terms document whose digest is `document`."""
    if duration_s < 0 or price < 0:
        raise OpenCommonsError("a licence's price and duration cannot be negative")
    return send(commons, who, "terms set", commons.licenses.functions.setTerms(
        dataset_id, token, price, duration_s, document, True), report=report)


@dataclass(frozen=True)
class Offered:
    receipt: Any
    #: the terms document licences are sold under (None: none, the SPDX licence alone)
    terms_cid: Any
    terms: Any
    #: what the lineage check said (notes: what the terms cannot take back, credits owed)
    findings: list[Any]
    #: the document is the one the dataset was published with
    published: bool = False


@dataclass(frozen=True)
class PreparedTerms:
    """A terms document checked along the dataset's lineage and pinned, ready to bind on-chain."""
    #: what `setTerms` binds (32 zero bytes: no document, the SPDX licence alone)
    digest: bytes
    cid: Any
    terms: Any
    findings: list[Any]
    published: bool = False


def prepare_terms(commons: Commons, store: Any, source: Any, dataset_id: int,
                  document: dict[str, Any] | None = None) -> PreparedTerms:
    """The terms licences to `dataset_id` are to be sold under: `document` (an ODRL policy,
    checked), else the one the dataset was published with, else none. The document must fit the
    dataset's lineage (its parents' licences and terms); it is pinned to `store` as one raw block
    whose digest is what the chain binds. Raises LicenceError when the lineage forbids it."""
    from .errors import LineageError
    from .licensing import documents, lineage, odrl

    chosen, published, notes = None, False, []
    if document is not None:
        chosen = odrl.load(document)
    else:
        try:
            found = documents.published_terms(commons, source, dataset_id)
        except odrl.TermsError:
            raise
        except OpenCommonsError as exc:  # the manifest is not at hand: offer without, and say so
            found = None
            notes.append(lineage.Finding("note", f"dataset {dataset_id}", f"its manifest was not read ({exc}); if it "
                                         "was published with terms, pass them as the document"))
        if found is not None:
            chosen, published = (found[0], found[1]), True
    if chosen is None:
        return PreparedTerms(bytes(32), None, None, notes)
    findings = documents.check_offer(commons, source, dataset_id, chosen[1])
    refused = lineage.refusal(findings)
    if refused:
        raise LineageError(refused.replace("the licence is", "these terms are"))
    digest, cid = documents.pin(store, chosen[0])
    return PreparedTerms(digest, cid, chosen[1], findings, published)


def offer_under_terms(commons: Commons, who: Sender, store: Any, source: Any, dataset_id: int, price: int,
                      duration_s: int = 0, token: str = NATIVE, document: dict[str, Any] | None = None,
                      report: Report | None = None) -> Offered:
    """Offers licences under the terms :func:`prepare_terms` chooses, checks and pins, so every
    licence sold records exactly what the buyer agreed to."""
    prepared = prepare_terms(commons, store, source, dataset_id, document)
    receipt = offer_licence(commons, who, dataset_id, price, duration_s, token, prepared.digest, report=report)
    return Offered(receipt, prepared.cid, prepared.terms, prepared.findings, prepared.published)


def buy_licence(commons: Commons, who: Sender, dataset_id: int, max_price: int | None = None,
                report: Report | None = None) -> tuple[Any, Terms]:
    """Buys a licence at the current terms, never above `max_price`: the purchase is bound to
    exactly the terms read here, so a change before it mines reverts instead of costing more
    (the contract's refusal, explained by the revert hints, names the terms)."""
    terms = terms_of(commons, dataset_id)
    if terms.token != NATIVE:
        approve(commons, who, terms.token, commons.licenses.address, terms.price, report)
    receipt = send(commons, who, "licence bought", commons.licenses.functions.buy(
        dataset_id, terms.token, terms.price if max_price is None else max_price, terms.duration_s, terms.document),
        value=terms.price if terms.token == NATIVE else 0, report=report)
    return receipt, terms


def vote(commons: Commons, who: Sender, proposal_id: int, support: str, report: Report | None = None,
         governor: Any = None) -> Any:
    """Casts `who`'s vote (for, against, abstain) on an active proposal, in the token house or in
    the house whose `governor` is given."""
    if support.lower() not in SUPPORT:
        raise OpenCommonsError(f"invalid vote {support!r}: use for, against or abstain")
    g = governor if governor is not None else commons.governor
    return send(commons, who, "voted", g.functions.castVote(proposal_id, SUPPORT[support.lower()]), report=report)


def pull_training_share(commons: Commons, who: Sender, model_id: int, dataset_id: int, log: dict[str, Any],
                        tokens: list[str], report: Report | None = None) -> tuple[Any, dict[str, int]]:
    """Moves `dataset_id`'s share of a model's training pool into the dataset's own pool, proving
    its weight from the model's training `log`: (receipt, amount per token). Refused when the log
    does not name the dataset or nothing is owed."""
    from .merkle import StandardTree
    from .ml.training import LEAF_TYPES, leaves, record_of

    generation, _, total = record_of(commons, model_id)
    if not total:
        raise OpenCommonsError(f"model {model_id} has no training record on-chain: its owner binds it by running "
                               "`commons model register DIR --run LOG ...` again; nothing sent")
    values = leaves(log["datasets"])
    index = next((i for i, (d, _) in enumerate(values) if d == dataset_id), None)
    if index is None:
        raise OpenCommonsError(f"model {model_id}'s training log does not name dataset {dataset_id}: nothing to pull")
    tree = StandardTree.of(values, LEAF_TYPES)
    weight = values[index][1]
    vault = commons.vault.functions
    owed = {t: int(vault.trainingShareOf(model_id, generation, dataset_id, weight, t).call()) for t in tokens}
    if not any(owed.values()):
        raise OpenCommonsError(f"dataset {dataset_id} has nothing to pull from model {model_id} in these tokens "
                               "(settle the model's payments first: `commons royalties settle MODEL`): nothing sent")
    receipt = send(commons, who, "training share pulled",
                   vault.pullTrainingShare(model_id, generation, dataset_id, weight, tree.proof(index), tokens),
                   through=("RoyaltyVault",), report=report)
    return receipt, {t: a for t, a in owed.items() if a}
