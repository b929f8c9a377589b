"""The rights people keep over data in the commons (issue 36), owned by the library: consent to be
named in a dataset (directly or by an EIP-712 signature someone else relays), withdrawal of a
contribution, and takedown with due process (raise with evidence and a bond, answer, decide,
appeal, close, bonds by pull), on the commons' DatasetRights contract.

Also erasure of a private dataset (its gateways destroy the data key) and the reissue of a dataset
without what was withdrawn. Every function refuses in one line before sending anything that would
revert or do nothing. The reads (:func:`facts`, :func:`tombstone`, :func:`notices`) are what
`dataset show`, `get`, `load_dataset` and the dApp say about a dataset's rights."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.logs import DISCARD

from .actions import SUSPENDED, Report, send
from .chain.transactions import Sender
from .errors import OpenCommonsError
from .ipfs.cid import Cid
from .present import DISPUTE_REASONS, DISPUTE_STAGE, when
from .suite import Commons

__all__ = ["Dispute", "Erasure", "TakenDownError", "answer", "appeal", "clean_paths", "close", "consent", "consent_typed_data",
           "decide", "dispute", "enforce", "erase", "facts", "forfeit", "governance_reissue", "move_licence",
           "notices", "pin_purposes", "raise_dispute", "refuse_if_taken_down", "reissue_request", "relay_consent",
           "resplit", "sign_consent", "tombstone", "withdraw", "withdraw_bonds"]

RAISED, UPHELD, REJECTED, APPEALED, UPHELD_FINAL, REJECTED_FINAL, LAPSED = range(1, 8)
ZERO32 = bytes(32)
#: a document pinned as evidence, an answer or a purposes text: up to 16 MiB
MAX_DOCUMENT = 16 << 20


class TakenDownError(OpenCommonsError):
    """The dataset is tombstoned: a dispute against it was upheld."""


@dataclass(frozen=True)
class Dispute:
    """A dispute as the chain records it, with the names people read."""

    id: int
    dataset_id: int
    raiser: str
    reason: str
    stage: int
    publisher: str
    raised_at: int
    decided_at: int
    appellant: str | None
    bond: int
    appeal_bond: int
    evidence: Cid | None
    answer: Cid | None

    @property
    def stage_name(self) -> str:
        return DISPUTE_STAGE[self.stage]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "dataset": str(self.dataset_id), "raiser": self.raiser, "reason": self.reason,
                "stage": self.stage_name, "publisher": self.publisher, "raisedAt": self.raised_at,
                "decidedAt": self.decided_at, "appellant": self.appellant, "bond": str(self.bond),
                "appealBond": str(self.appeal_bond), "evidence": str(self.evidence) if self.evidence else None,
                "answer": str(self.answer) if self.answer else None}


def _contract(commons: Commons) -> Any:
    if "DatasetRights" not in commons.deployment.addresses:
        raise OpenCommonsError("this commons has no DatasetRights contract (it was deployed before consent and "
                               "disputes existed): redeploy it to record consents, withdrawals and disputes")
    return commons.rights


def _cid(digest: bytes, codec: int) -> Cid | None:
    return None if bytes(digest) == ZERO32 else Cid.from_chain(int(codec), bytes(digest))


def pin_document(store: Any, path: Path, what: str, one_block: bool = False) -> Cid:
    """`path` added to `store` (pinned there): its CID (a raw block, or a dag-pb file when larger
    than a chunk, unless `one_block`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OpenCommonsError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None
    if not data:
        raise OpenCommonsError(f"the {what} {path} is empty: give a document that says something")
    if len(data) > MAX_DOCUMENT:
        raise OpenCommonsError(f"the {what} {path} is {len(data):,} bytes, above {MAX_DOCUMENT:,}: pin a summary "
                               "and link the rest from it")
    cid: Cid = store.add_bytes(data, 1)
    if one_block and cid.codec != 0x55:  # its codec is not recorded: it must be a raw block
        raise OpenCommonsError(f"the {what} {path} does not fit one IPFS block: keep it under 256 KiB")
    return cid


def _share(commons: Commons, dataset_id: int, account: str) -> int:
    status, _ = commons.nft.functions.statusAndGenerationOf(dataset_id).call()
    if status == 0:
        raise OpenCommonsError(f"there is no dataset {dataset_id}")
    return int(commons.nft.functions.shareOf(dataset_id, account).call())


def _check_contributor(commons: Commons, dataset_id: int, account: str) -> None:
    if not _share(commons, dataset_id, account):
        raise OpenCommonsError(f"{account} is not a contributor of dataset {dataset_id}: only a contributor with "
                               "a share consents or withdraws; nothing sent")


# ---------------------------------------------------------------------- consent and withdrawal
def pin_purposes(store: Any, path: Path) -> Cid:
    """A purposes document (what a contributor agrees its data may be used for) pinned to `store`."""
    return pin_document(store, path, "purposes document", one_block=True)


def consent(commons: Commons, who: Sender, dataset_id: int, purposes: Cid | None = None,
            report: Report | None = None) -> Any:
    """Records `who`'s consent to being named in `dataset_id` (for the purposes document
    `purposes`, or the dataset's own terms when None)."""
    rights = _contract(commons)
    _check_contributor(commons, dataset_id, who.address)
    digest = purposes.digest if purposes is not None else ZERO32
    if rights.functions.hasConsented(dataset_id, who.address).call() and bytes(
            rights.functions.consentOf(dataset_id, who.address).call()[4]) == digest:
        raise OpenCommonsError(f"{who.address} consented to dataset {dataset_id} already, for these purposes: "
                               "nothing sent")
    return send(commons, who, "consented", rights.functions.consent(dataset_id, digest), report=report)


def consent_typed_data(commons: Commons, dataset_id: int, contributor: str, purposes: bytes, nonce: int,
                       deadline: int) -> dict[str, Any]:
    """The EIP-712 message a contributor signs to consent without paying gas (a wallet's
    `eth_signTypedData_v4` takes it with the purposes as 0x hex)."""
    from .chain.typed_data import consent_message

    return consent_message(commons.w3.eth.chain_id, _contract(commons).address, dataset_id,
                           Web3.to_checksum_address(contributor), bytes(purposes), nonce, deadline)


def sign_consent(commons: Commons, account: Any, dataset_id: int, purposes: Cid | None = None,
                 valid_for_s: int = 86_400) -> dict[str, Any]:
    """`account` (an eth-account LocalAccount) signs its consent: what a relayer needs, as JSON."""
    from eth_account.messages import encode_typed_data

    rights = _contract(commons)
    _check_contributor(commons, dataset_id, account.address)
    digest = purposes.digest if purposes is not None else ZERO32
    nonce = int(rights.functions.nonces(account.address).call())
    deadline = int(commons.w3.eth.get_block("latest")["timestamp"]) + valid_for_s
    data = consent_typed_data(commons, dataset_id, account.address, digest, nonce, deadline)
    signature = account.sign_message(encode_typed_data(full_message=data)).signature
    return {"dataset": str(dataset_id), "contributor": account.address, "purposes": "0x" + digest.hex(),
            "deadline": deadline, "signature": "0x" + bytes(signature).hex()}


def relay_consent(commons: Commons, relayer: Sender, signed: dict[str, Any], report: Report | None = None) -> Any:
    """Sends a consent another contributor signed (see :func:`sign_consent`), the relayer paying."""
    rights = _contract(commons)
    try:
        dataset_id = int(signed["dataset"])
        contributor = Web3.to_checksum_address(str(signed["contributor"]))
        purposes = bytes.fromhex(str(signed["purposes"]).removeprefix("0x"))
        deadline = int(signed["deadline"])
        signature = bytes.fromhex(str(signed["signature"]).removeprefix("0x"))
    except (KeyError, ValueError, TypeError) as exc:
        raise OpenCommonsError(f"not a signed consent (dataset, contributor, purposes, deadline, signature): "
                               f"{exc}") from None
    if len(purposes) != 32:
        raise OpenCommonsError("a signed consent's purposes are a 32-byte digest")
    now = int(commons.w3.eth.get_block("latest")["timestamp"])
    if deadline <= now:
        raise OpenCommonsError(f"the consent signature expired at {when(deadline)}: ask the contributor to sign again")
    _check_contributor(commons, dataset_id, contributor)
    return send(commons, relayer, "consent relayed", rights.functions.consentWithSig(
        dataset_id, contributor, purposes, deadline, signature), report=report)


def clean_paths(files: list[str]) -> list[str]:
    """Paths in a dataset as a withdrawal records them: relative, without repeats, sorted."""
    return sorted({f.strip().strip("/") for f in files if f.strip().strip("/")})


def withdraw(commons: Commons, who: Sender, store: Any, dataset_id: int, files: list[str] | None = None,
             report: Report | None = None) -> tuple[Any, Cid | None]:
    """Withdraws `who`'s contribution to `dataset_id` (only `files`, paths in its manifest, when
    given: the list is pinned to `store` and its CID recorded). (receipt, the list's CID)."""
    rights = _contract(commons)
    _check_contributor(commons, dataset_id, who.address)
    record = rights.functions.consentOf(dataset_id, who.address).call()
    generation = int(commons.nft.functions.generationOf(dataset_id).call())
    if int(record[1]) and int(record[2]) == generation:
        raise OpenCommonsError(f"{who.address} withdrew from dataset {dataset_id} already, on "
                               f"{when(int(record[1]))}: nothing sent")
    listed: Cid | None = None
    if files:
        clean = clean_paths(files)
        if not clean:
            raise OpenCommonsError("--files names no file")
        document = json.dumps({"dataset": str(dataset_id), "withdrawn": clean}, sort_keys=True).encode()
        listed = store.add_bytes(document, 1)
    receipt = send(commons, who, "withdrawn", rights.functions.withdraw(
        dataset_id, listed.digest if listed else ZERO32, listed.codec if listed else 0), report=report)
    return receipt, listed


# ---------------------------------------------------------------------- disputes
def reason_code(reason: str) -> int:
    try:
        return DISPUTE_REASONS.index(reason.strip().lower())
    except ValueError:
        raise OpenCommonsError(f"unknown reason {reason!r}: use one of {', '.join(DISPUTE_REASONS)}") from None


def dispute(commons: Commons, dispute_id: int) -> Dispute:
    """Dispute `dispute_id` as recorded."""
    d = _contract(commons).functions.disputeOf(dispute_id).call()
    if int(d[3]) == 0:
        raise OpenCommonsError(f"there is no dispute {dispute_id}")
    return Dispute(id=dispute_id, dataset_id=int(d[0]), raiser=d[1], reason=DISPUTE_REASONS[int(d[2])],
                   stage=int(d[3]), publisher=d[6], raised_at=int(d[7]),
                   appellant=None if int(d[8], 16) == 0 else d[8], decided_at=int(d[9]), bond=int(d[10]),
                   appeal_bond=int(d[11]), evidence=_cid(d[12], d[14]), answer=_cid(d[13], d[15]))


def raise_dispute(commons: Commons, who: Sender, store: Any, dataset_id: int, reason: str, evidence: Path,
                  report: Report | None = None) -> tuple[Any, int, Cid]:
    """Disputes `dataset_id` for `reason`, `evidence` pinned to `store`, paying the commons' bond:
    (receipt, dispute id, evidence CID)."""
    rights = _contract(commons)
    code = reason_code(reason)
    status, _ = commons.nft.functions.statusAndGenerationOf(dataset_id).call()
    if status == 0:
        raise OpenCommonsError(f"there is no dataset {dataset_id} to dispute")
    active = int(rights.functions.activeDisputeOf(dataset_id).call())
    if active:
        stage = DISPUTE_STAGE[int(rights.functions.disputeOf(active).call()[3])]
        raise OpenCommonsError(f"dataset {dataset_id} has dispute {active} already ({stage}): add your evidence "
                               "there (the arbiter reads it), or raise yours once it ends; nothing sent")
    bond = int(rights.functions.settings().call()[0])
    cid = pin_document(store, evidence, "evidence")
    receipt = send(commons, who, "dispute raised", rights.functions.raiseDispute(dataset_id, code, cid.digest,
                                                                                  cid.codec), value=bond,
                   report=report)
    events = rights.events.DisputeRaised().process_receipt(receipt)
    return receipt, int(events[0]["args"]["disputeId"]), cid


def answer(commons: Commons, who: Sender, store: Any, dispute_id: int, document: Path,
           report: Report | None = None) -> tuple[Any, Cid]:
    """The publisher's answer to a dispute, pinned to `store`."""
    d = dispute(commons, dispute_id)
    if d.stage not in (RAISED, APPEALED):
        raise OpenCommonsError(f"dispute {dispute_id} is {d.stage_name}: answers are heard while it is raised or "
                               "appealed")
    if Web3.to_checksum_address(who.address) != d.publisher:
        raise OpenCommonsError(f"only the publisher {d.publisher} answers dispute {dispute_id}")
    cid = pin_document(store, document, "answer")
    return send(commons, who, "answered", _contract(commons).functions.answer(dispute_id, cid.digest, cid.codec),
                report=report), cid


def _window(commons: Commons) -> tuple[int, int, int]:
    bond, decision, appeal_window = _contract(commons).functions.settings().call()
    return int(bond), int(decision), int(appeal_window)


def decide(commons: Commons, who: Sender, dispute_id: int, upheld: bool, report: Report | None = None) -> Any:
    """The arbiter's decision on a dispute or its appeal."""
    rights = _contract(commons)
    d = dispute(commons, dispute_id)
    if d.stage not in (RAISED, APPEALED):
        raise OpenCommonsError(f"dispute {dispute_id} is {d.stage_name}: there is nothing to decide")
    if not rights.functions.hasRole(rights.functions.ARBITER_ROLE().call(), who.address).call():
        raise OpenCommonsError(f"{who.address} is not an arbiter of this commons: governance decides through a "
                               "proposal, or grants the arbiter role to a council")
    _, decision, _ = _window(commons)
    now = int(commons.w3.eth.get_block("latest")["timestamp"])
    if now > d.decided_at + decision:
        raise OpenCommonsError(f"the decision window of dispute {dispute_id} closed on "
                               f"{when(d.decided_at + decision)}: anyone may close it now (`commons dispute close`)")
    return send(commons, who, "decided", rights.functions.decide(dispute_id, bool(upheld)), report=report)


def appeal(commons: Commons, who: Sender, dispute_id: int, report: Report | None = None) -> Any:
    """The losing side's appeal, with the bond."""
    d = dispute(commons, dispute_id)
    if d.stage not in (UPHELD, REJECTED):
        raise OpenCommonsError(f"dispute {dispute_id} is {d.stage_name}: only a first decision can be appealed")
    loser = d.publisher if d.stage == UPHELD else d.raiser
    if Web3.to_checksum_address(who.address) != loser:
        raise OpenCommonsError(f"dispute {dispute_id} was {d.stage_name}: only {loser}, who lost it, may appeal")
    bond, _, window = _window(commons)
    now = int(commons.w3.eth.get_block("latest")["timestamp"])
    if now > d.decided_at + window:
        raise OpenCommonsError(f"the appeal window of dispute {dispute_id} closed on {when(d.decided_at + window)}")
    return send(commons, who, "appealed", _contract(commons).functions.appeal(dispute_id), value=bond, report=report)


def close(commons: Commons, who: Sender, dispute_id: int, report: Report | None = None) -> Any:
    """Ends a dispute whose window passed (anyone may)."""
    d = dispute(commons, dispute_id)
    _, decision, appeal_window = _window(commons)
    if d.stage not in (RAISED, UPHELD, REJECTED, APPEALED):
        raise OpenCommonsError(f"dispute {dispute_id} is {d.stage_name} already: nothing to close")
    until = d.decided_at + (decision if d.stage in (RAISED, APPEALED) else appeal_window)
    now = int(commons.w3.eth.get_block("latest")["timestamp"])
    if now <= until:
        raise OpenCommonsError(f"dispute {dispute_id} is {d.stage_name} and its window is open until {when(until)}")
    return send(commons, who, "closed", _contract(commons).functions.closeDispute(dispute_id), report=report)


def withdraw_bonds(commons: Commons, who: Sender, report: Report | None = None) -> tuple[Any, int]:
    """Sends `who` every bond credited to it: (receipt, amount)."""
    rights = _contract(commons)
    amount = int(rights.functions.bondOf(who.address).call())
    if not amount:
        raise OpenCommonsError(f"{who.address} has no bond to withdraw: nothing sent")
    return send(commons, who, "bonds withdrawn", rights.functions.withdrawBonds(), report=report), amount


# ---------------------------------------------------------------------- erasure (crypto-shredding)
@dataclass(frozen=True)
class Erasure:
    """What `erase` did: the report pinned and recorded, and the gateways that did not confirm."""

    report: Cid
    confirmed: list[str]
    unconfirmed: dict[str, str]


#: the most of a gateway's answer read (it is hostile input)
MAX_GATEWAY_ANSWER = 64 << 10


def _ask_gateway(url: str, dataset_id: int, public_key: str) -> str | None:
    """None when the gateway at `url` confirms it destroyed the key of `dataset_id`, else why not."""
    from .private.client import GatewayError, call

    try:
        with call(f"{url.rstrip('/')}/v1/datasets/{dataset_id}/erase", {}) as reply:
            raw = reply.read(MAX_GATEWAY_ANSWER + 1)
    except GatewayError as exc:
        return str(exc)
    if len(raw) > MAX_GATEWAY_ANSWER:
        return "its answer is too large"
    try:
        answer = json.loads(raw)
    except ValueError:
        return "its answer is not JSON"
    if not isinstance(answer, dict) or answer.get("erased") is not True or str(answer.get("dataset")) != str(
            dataset_id):
        return "its answer does not confirm the erasure of this dataset"
    if answer.get("publicKey") != public_key:
        return "it answered with another key than the one the manifest names"
    return None


def erase(commons: Commons, who: Sender, store: Any, dataset_id: int, report: Report | None = None) -> Erasure:
    """Crypto-shreds private dataset `dataset_id`: requests the erasure on-chain (once: a rerun
    only asks the gateways that did not confirm yet), asks every gateway its manifest names to
    destroy the data key, pins a report of who confirmed to `store` and records it on-chain. The
    ciphertext that stays on IPFS is useless without the key; a licensee who was handed the key
    (a perpetual licence) keeps it: see docs/THREAT_MODEL.md."""
    from .ipfs.store import read_document
    from .queries import dataset_view

    rights = _contract(commons)
    view = dataset_view(commons, dataset_id)
    owner = Web3.to_checksum_address(view["owner"])
    arbiter = rights.functions.hasRole(rights.functions.ARBITER_ROLE().call(), who.address).call()
    if Web3.to_checksum_address(who.address) != owner and not arbiter:
        raise OpenCommonsError(f"{who.address} neither owns dataset {dataset_id} nor arbitrates this commons: only "
                               "they request an erasure")
    manifest = read_document(store, Cid.parse(view["manifest"]), "manifest")
    private = manifest.get("private") if isinstance(manifest, dict) else None
    if not isinstance(private, dict):
        raise OpenCommonsError(f"dataset {dataset_id} is public: nothing encrypts it, so no key can be destroyed; "
                               "content on IPFS cannot be recalled (docs/THREAT_MODEL.md): raise a dispute to take "
                               "it down from this commons")
    gateways = [g for g in private.get("gateways", []) if isinstance(g, dict) and isinstance(g.get("url"), str)]
    if not int(rights.functions.erasureRequestedAt(dataset_id).call()):
        send(commons, who, "erasure requested", rights.functions.requestErasure(dataset_id), report=report)
    requested = int(rights.functions.erasureRequestedAt(dataset_id).call())
    unconfirmed = {}
    for g in gateways:
        why = _ask_gateway(g["url"], dataset_id, str(g.get("publicKey")))
        if why is not None:
            unconfirmed[g["url"]] = why
    confirmed = [g["url"] for g in gateways if g["url"] not in unconfirmed]
    document = {"dataset": str(dataset_id), "erasureRequestedAt": requested, "confirmed": confirmed,
                "unconfirmed": unconfirmed,
                "note": "each confirmed gateway destroyed its copy of the data key; an unconfirmed one destroys it "
                        "when it next reads the chain about this dataset"}
    cid = store.add_bytes(json.dumps(document, sort_keys=True).encode(), 1)
    send(commons, who, "erasure recorded", rights.functions.recordErasure(dataset_id, cid.digest, cid.codec),
         report=report)
    return Erasure(cid, confirmed, unconfirmed)


# ---------------------------------------------------------------------- a version without what was withdrawn
def resplit(contributors: list[tuple[str, int]], leaving: set[str]) -> list[tuple[str, int]]:
    """`contributors` without `leaving`, their shares scaled to 10,000 basis points again (largest
    remainders get the odd points, ties to the earlier contributor)."""
    staying = [(a, s) for a, s in contributors if a not in leaving]
    total = sum(s for _, s in staying)
    if not staying or total == 0:
        raise OpenCommonsError("every contributor withdrew their whole contribution: nothing is left to publish "
                               "(retire the dataset instead)")
    exact = [s * 10_000 / total for _, s in staying]
    shares = [int(x) for x in exact]
    rest = 10_000 - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:rest]:
        shares[i] += 1
    return [(a, share) for (a, _), share in zip(staying, shares)]


def reissue_request(commons: Commons, publisher: str, store: Any, dataset_id: int,
                    workdir: Path) -> tuple[Any, list[str]]:
    """The publication of `dataset_id`'s next version without what its contributors withdrew: its
    content fetched (verified) into `workdir`, the withdrawn files left out, the contributors who
    withdrew everything left out and the others' shares re-split; its licence, commons, name and
    terms inherited. (request, the paths left out)."""
    import glob

    from .ipfs.store import read_document
    from .ml.download import _safe_parts, download, resolve_reference
    from .publish import supplied_files, version_request

    _contract(commons)
    owner = Web3.to_checksum_address(commons.nft.functions.ownerOf(dataset_id).call())
    if Web3.to_checksum_address(publisher) != owner:
        raise OpenCommonsError(f"{publisher} does not own dataset {dataset_id} ({owner} does): only its owner "
                               "publishes its next version")
    f = facts(commons, dataset_id)
    if f.get("takenDown"):
        raise OpenCommonsError(f"{f['takenDown']}: it has no new version while it is taken down")
    withdrawn = f.get("withdrawn", [])
    if not withdrawn:
        raise OpenCommonsError(f"nobody withdrew from dataset {dataset_id}: nothing to reissue (publish a new "
                               "version with `commons dataset version` instead)")
    resolved = resolve_reference(dataset_id, commons, store)
    manifest = read_document(store, resolved.manifest, "manifest")
    if isinstance(manifest, dict) and isinstance(manifest.get("private"), dict):
        raise OpenCommonsError(f"dataset {dataset_id} is private: reissue it from your plaintext with `commons "
                               "dataset version DIR --private` (the ciphertext cannot be re-encrypted here)")
    folder = workdir / f"reissue-{dataset_id}"
    download(store, resolved, folder)
    supplied = supplied_files(manifest)
    dropped: list[str] = []
    leaving: set[str] = set()
    for w in withdrawn:
        account = Web3.to_checksum_address(w["account"])
        paths: Any = supplied.get(account, [])
        if not w["files"]:  # the whole contribution: the share, and the files the manifest says it supplied
            leaving.add(account)
        else:
            listed = read_document(store, Cid.parse(w["files"]), "withdrawn files list")
            paths = listed.get("withdrawn") if isinstance(listed, dict) else None
            if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
                raise OpenCommonsError(f"the withdrawn files list {w['files']} is not a list of paths")
        for path in paths:
            target = folder.joinpath(*_safe_parts(path))  # a hostile list names nothing outside the copy
            if target.is_file():
                target.unlink()
                dropped.append(path)
    if not dropped and not leaving:
        raise OpenCommonsError(f"the files withdrawn from dataset {dataset_id} are no longer in it: nothing to "
                               "reissue")
    # what changed, said in the version itself (it also makes its content, so its id, new when only
    # contributors left: a dataset's id is its content's digest)
    lines = [f"# Withdrawn from dataset {dataset_id}", ""]
    lines += [f"- {w['account']} withdrew " + (f"the files listed in {w['files']}" if w["files"] else
                                                "their whole contribution") + f" on {when(int(w['at']))}"
              for w in withdrawn]
    lines += ["", "Left out of this version: " + (", ".join(sorted(dropped)) if dropped else "no file") + "."]
    (folder / "WITHDRAWN.md").write_text("\n".join(lines) + "\n")
    current: list[tuple[str, int]] = [(str(Web3.to_checksum_address(c[0])), int(c[1]))
                                      for c in commons.nft.functions.contributorsOf(dataset_id).call()]
    # who supplied what stays said of the files that stay
    kept = tuple((account, glob.escape(path)) for account, paths in supplied.items() if account not in leaving
                 for path in paths if path not in dropped and folder.joinpath(*_safe_parts(path)).is_file())
    request = version_request(commons, dataset_id, folder, store, contributors=resplit(current, leaving),
                              supplied=kept)
    return request, sorted(dropped)


def governance_reissue(commons: Commons, who: Sender, store: Any, dataset_id: int, workdir: Path,
                       report: Report | None = None) -> tuple[Any, int, list[str]]:
    """Publishes, for governance (`who` an arbiter), the version of `dataset_id` without what its
    contributors withdrew, once its owner's deadline passed; the new version is the owner's. It is
    built as :func:`reissue_request` builds the owner's, pinned to `store`, committed in
    DatasetRights' name and revealed through it. (receipt, new dataset id, the paths left out)."""
    from .chain.reveal import await_reveal, commitment_of, reveal_fn
    from .publish import params_of, pin_content, scan, validate

    rights = _contract(commons)
    if not rights.functions.hasRole(rights.functions.ARBITER_ROLE().call(), who.address).call():
        raise OpenCommonsError(f"{who.address} neither owns dataset {dataset_id} nor arbitrates this commons: only "
                               "its owner reissues it, or governance once the owner's deadline passed")
    due = int(rights.functions.reissueDueAt(dataset_id).call())
    if not due:
        raise OpenCommonsError(f"nobody withdrew from dataset {dataset_id}: nothing to reissue")
    latest = int(commons.nft.functions.latestVersion(dataset_id).call())
    if latest != dataset_id:
        raise OpenCommonsError(f"dataset {dataset_id} has a newer version already ({latest}): nothing to reissue")
    now = int(commons.w3.eth.get_block("latest")["timestamp"])
    if now <= due:
        raise OpenCommonsError(f"dataset {dataset_id}'s owner has until {when(due)} to reissue it: governance may "
                               "only after that")
    owner = str(commons.nft.functions.ownerOf(dataset_id).call())
    request, dropped = reissue_request(commons, owner, store, dataset_id, workdir)
    request = validate(request)
    scanned = scan(request)
    pin_content(store, request.directory, scanned, request.dereference)
    params = params_of(request, scanned.content, scanned.manifest_cid)
    registry = commons.registry.functions
    if not registry.isRegistered(rights.address).call():
        profile = store.add_bytes(json.dumps({"name": "Governance of this commons (its DatasetRights)",
                                              "role": "publishes reissues after withdrawals"}, sort_keys=True).encode(),
                                  1)
        send(commons, who, "governance registered to publish reissues",
             rights.functions.registerPublisher(profile.digest, profile.codec), report=report)
    salt = os.urandom(32)
    commitment = commitment_of(rights.address, reveal_fn(commons.nft, params, salt, dataset_id))
    committed = send(commons, who, "committed", commons.nft.functions.commit(commitment), report=report)
    await_reveal(commons.w3, commons.nft, int(committed["blockNumber"]))
    receipt = send(commons, who, "reissued", rights.functions.reissue(dataset_id, params, salt), report=report)
    new_id = int(rights.events.DatasetReissued().process_receipt(receipt, errors=DISCARD)[0]["args"]["datasetId"])
    return receipt, new_id, dropped


def forfeit(commons: Commons, who: Sender, dispute_id: int,
            report: Report | None = None) -> tuple[Any, dict[str, int]]:
    """Forfeits to the treasury the royalties of the dataset dispute `dispute_id` took down for good
    (anyone may, once the takedown is final), in ETH and every allow-listed token:
    (receipt, {token: amount forfeited})."""
    from .queries import listed_tokens

    d = dispute(commons, dispute_id)
    if d.stage != UPHELD_FINAL:
        raise OpenCommonsError(f"dispute {dispute_id} is {d.stage_name}: royalties are forfeited only once a takedown "
                               "is final (upheld, then the appeal window passed or the appeal was decided)")
    if int(commons.nft.functions.statusOf(d.dataset_id).call()) != SUSPENDED:
        raise OpenCommonsError(f"dataset {d.dataset_id} is not taken down: its royalties are its contributors'")
    receipt = send(commons, who, "royalties forfeited",
                   _contract(commons).functions.forfeitRoyalties(dispute_id, listed_tokens(commons)), report=report)
    events = commons.vault.events.RoyaltyForfeited().process_receipt(receipt, errors=DISCARD)
    return receipt, {str(e["args"]["token"]): int(e["args"]["amount"]) for e in events}


def move_licence(commons: Commons, who: Sender, dataset_id: int,
                 report: Report | None = None) -> tuple[Any, int, int]:
    """Moves `who`'s licence to `dataset_id` (withdrawn from, then reissued) to the newest version,
    as licensees must within the commons' deadline: (receipt, the version it moved to, expiry)."""
    _contract(commons)
    due = int(commons.rights.functions.moveDueAt(dataset_id).call())
    if not due:
        raise OpenCommonsError(f"nothing was withdrawn from dataset {dataset_id} and reissued: a licence to it stays "
                               "where it is")
    expiry = int(commons.licenses.functions.licenseExpiry(who.address, dataset_id).call())
    if expiry <= int(commons.w3.eth.get_block("latest")["timestamp"]):
        raise OpenCommonsError(f"{who.address} holds no unexpired licence to dataset {dataset_id}: nothing to move")
    receipt = send(commons, who, "licence moved", commons.licenses.functions.move(dataset_id), report=report)
    event = commons.licenses.events.LicenseMoved().process_receipt(receipt, errors=DISCARD)[0]["args"]
    return receipt, int(event["toId"]), int(event["expiresAt"])


# ---------------------------------------------------------------------- what a dataset's rights say
def tombstone(commons: Commons, dataset_id: int) -> str | None:
    """Why `dataset_id` is taken down (None when it is not): a dispute upheld against it."""
    status, _ = commons.nft.functions.statusAndGenerationOf(dataset_id).call()
    if int(status) != SUSPENDED:
        return None
    if "DatasetRights" not in commons.deployment.addresses:
        return f"dataset {dataset_id} is taken down"
    active = int(commons.rights.functions.activeDisputeOf(dataset_id).call())
    return _tombstone_text(dataset_id, dispute(commons, active) if active else None)


def _tombstone_text(dataset_id: int, d: Dispute | None) -> str:
    """The reason a suspended dataset is taken down, from the dispute that took it down."""
    if d is None:
        return f"dataset {dataset_id} is taken down"
    final = "for good" if d.stage == UPHELD_FINAL else "pending appeal" if d.stage == APPEALED else (
        "open to appeal")
    evidence = f", evidence {d.evidence}" if d.evidence else ""
    return (f"dataset {dataset_id} is taken down: dispute {d.id} ({d.reason}{evidence}) was upheld on "
            f"{when(d.decided_at)}, {final}")


def refuse_if_taken_down(commons: Commons | None, dataset_id: int | None) -> None:
    """Raises :class:`TakenDownError` with the reason when `dataset_id` is tombstoned."""
    if commons is None or dataset_id is None:
        return
    reason = tombstone(commons, dataset_id)
    if reason:
        raise TakenDownError(f"{reason}: it is not served")


def _withdrawals(commons: Commons, dataset_id: int, accounts: list[str]) -> list[dict[str, Any]]:
    rights = commons.rights.functions
    out = []
    for account in accounts:
        record = rights.consentOf(dataset_id, account).call()
        out.append({"account": account, "consentedAt": int(record[0]), "withdrawnAt": int(record[1]),
                    "generation": int(record[2]), "purposes": _cid(record[4], 0x55),
                    "files": _cid(record[5], record[3])})
    return out


def facts(commons: Commons, dataset_id: int, contributors: list[str] | None = None) -> dict[str, Any]:
    """What `dataset show` and the pages say of a dataset's rights: who consented, who withdrew
    (and which files), its dispute, whether it is taken down."""
    if "DatasetRights" not in commons.deployment.addresses:
        return {}
    if contributors is None:
        contributors = [c[0] for c in commons.nft.functions.contributorsOf(dataset_id).call()]
    status, generation = (int(x) for x in commons.nft.functions.statusAndGenerationOf(dataset_id).call())
    records = _withdrawals(commons, dataset_id, contributors)
    consented = [r["account"] for r in records if r["consentedAt"] and not r["withdrawnAt"]
                 and r["generation"] == generation]
    withdrawn = [{"account": r["account"], "at": r["withdrawnAt"], "files": str(r["files"]) if r["files"] else None}
                 for r in records if r["withdrawnAt"] and r["generation"] == generation]
    out: dict[str, Any] = {"consentRequired": bool(int(commons.vault.functions.consentGate().call(), 16)),
                           "consented": consented,
                           "notConsented": [a for a in contributors if a not in consented
                                            and a not in {w["account"] for w in withdrawn}],
                           "withdrawn": withdrawn}
    rights = commons.rights.functions
    if withdrawn:
        out["reissueDueAt"] = int(rights.reissueDueAt(dataset_id).call())
        out["moveDueAt"] = int(rights.moveDueAt(dataset_id).call())
    active = int(rights.activeDisputeOf(dataset_id).call())
    d = dispute(commons, active) if active else None
    if d is not None:
        out["dispute"] = d.as_dict()
    erased = int(rights.erasureRequestedAt(dataset_id).call())
    if erased:
        out["erasureRequestedAt"] = erased
    if status == SUSPENDED:
        out["takenDown"] = _tombstone_text(dataset_id, d)
    return out


def notices(commons: Commons | None, dataset_id: int | None) -> list[str]:
    """One line for each thing a consumer must know before using the data: contributions withdrawn
    (use the newest version once one without them is published), a dispute in progress."""
    if commons is None or dataset_id is None or "DatasetRights" not in commons.deployment.addresses:
        return []
    f = facts(commons, dataset_id)
    lines = []
    newer = int(commons.nft.functions.latestVersion(dataset_id).call()) if f.get("withdrawn") else dataset_id
    if newer != dataset_id:
        lines.append(f"superseded for withdrawal by dataset {newer}: use it; licensees must move to it by "
                     f"{when(f['moveDueAt'])} (`commons license move {dataset_id}`), when licences to this version "
                     "stop being valid")
    for w in f.get("withdrawn", []):
        what = f"the files listed in {w['files']}" if w["files"] else "their whole contribution"
        lines.append(f"withdrawn: {w['account']} withdrew {what} on {when(int(w['at']))}; a new version without "
                     "them supersedes this one, and licensees must move to it")
    if f.get("withdrawn") and newer == dataset_id:
        lines.append(f"to be reissued: its owner publishes a version without what was withdrawn by "
                     f"{when(f['reissueDueAt'])} (`commons dataset reissue {dataset_id}`), governance after that")
    if f.get("erasureRequestedAt"):
        lines.append(f"erased: the data keys of this private dataset were destroyed at its gateways (requested "
                     f"{when(int(f['erasureRequestedAt']))}); it can no longer be decrypted")
    d = f.get("dispute")
    if d and "takenDown" not in f:
        lines.append(f"disputed: dispute {d['id']} ({d['reason']}) is {d['stage']}")
    return lines


def enforce(commons: Commons, store: Any, dataset_ids: list[int] | None = None) -> list[tuple[int, Cid]]:
    """Removes the commons' own pins of every taken-down dataset (`dataset_ids`, or every one the
    DatasetNFT's events name) from `store`: its content and manifest. (dataset id, CID) unpinned."""
    from .queries import dataset_view

    if dataset_ids is None:
        events = commons.nft.events.DatasetCurated().get_logs(from_block=commons.deployment.block)
        dataset_ids = sorted({int(e["args"]["datasetId"]) for e in events if int(e["args"]["to"]) == SUSPENDED})
    pinned = {str(c.to_v1()) for c in store.pins()}
    removed = []
    for dataset_id in dataset_ids:
        if tombstone(commons, dataset_id) is None:
            continue
        view = dataset_view(commons, dataset_id)
        for text in (view["content"], view["manifest"]):
            cid = Cid.parse(text)
            if str(cid.to_v1()) in pinned:
                store.unpin(cid)
                removed.append((dataset_id, cid))
    gc = getattr(getattr(store, "store", None), "gc", None)
    if removed and gc is not None:  # the embedded store: drop the blocks nothing else pins
        gc()
    return removed
