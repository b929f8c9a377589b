"""Licence terms documents: W3C ODRL 2.2 policies in JSON-LD, with their human-readable text.

A terms document says what a licence permits. It is read through JSON-LD expansion (pyld, with
the ODRL context served from the package: nothing is fetched), so two spellings of one policy
read the same, and it must state each use OpenCommons checks (commercial use, derivatives,
redistribution, AI training, text-and-data mining) as permitted or prohibited: a document that
leaves one unsaid, says both, or uses a term this reader does not know is refused in one line.

On-chain a licence binds the document's digest: the sha2-256 of its canonical bytes, which is
also the digest of its CID (a raw block, CIDv1, as `ipfs add --cid-version 1` gives for a file
of up to 256 KiB).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OpenCommonsError

if TYPE_CHECKING:
    from ..ipfs.cid import Cid

ODRL = "http://www.w3.org/ns/odrl/2/"
ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
#: OpenCommons' ODRL profile: the actions ODRL's common vocabulary lacks, and its reading of `use`
OC = "https://w3id.org/opencommons/odrl#"
PROFILE = "https://w3id.org/opencommons/odrl"
DCT = "http://purl.org/dc/terms/"
CODEC_RAW = 0x55
#: one raw block, so the CID is the digest's (Kubo chunks files at 256 KiB)
MAX_DOCUMENT = 256 * 1024
_DATA = Path(__file__).resolve().parent.parent / "data"

#: the uses every document must state, by the action that stands for each
USES = {
    "commercial": ODRL + "commercialize",
    "derivatives": ODRL + "derive",
    "redistribution": ODRL + "distribute",
    "ai_training": OC + "aiTraining",
    "tdm": OC + "textAndDataMining",
}
USE_WORDS = {"commercial": "commercial use", "derivatives": "derivatives", "redistribution": "redistribution",
             "ai_training": "training AI models", "tdm": "text and data mining"}
_DUTIES = {ODRL + "attribute", ODRL + "compensate", ODRL + "nextPolicy"}
_PERMISSION = ODRL + "permission"
_PROHIBITION = ODRL + "prohibition"
_ACTION = ODRL + "action"
_DUTY = ODRL + "duty"
_CONSTRAINT = ODRL + "constraint"
_POLICY_TYPES = {ODRL + t for t in ("Policy", "Set", "Offer", "Agreement")}
#: Local Contexts labels a community may attach (Traditional Knowledge and Biocultural)
LOCAL_CONTEXTS_LABELS = (
    "TK Attribution", "TK Clan", "TK Family", "TK Outreach", "TK Non-Verified", "TK Verified", "TK Non-Commercial",
    "TK Commercial", "TK Culturally Sensitive", "TK Community Voice", "TK Community Use Only", "TK Seasonal",
    "TK Women General", "TK Men General", "TK Men Restricted", "TK Women Restricted", "TK Secret / Sacred",
    "TK Open to Collaboration", "BC Provenance", "BC Multiple Communities", "BC Clan", "BC Consent Verified",
    "BC Consent Non-Verified", "BC Research Use", "BC Outreach", "BC Non-Commercial", "BC Open to Collaboration",
    "BC Open to Commercialization",
)


class TermsError(OpenCommonsError):
    """A terms document that cannot be read, or that is ambiguous."""


@dataclass(frozen=True)
class Terms:
    """What a terms document permits, as OpenCommons reads it."""
    title: str
    text: str
    commercial: bool
    derivatives: bool
    redistribution: bool
    ai_training: bool
    tdm: bool
    share_alike: bool = False
    attribution: str | None = None
    #: percentage of a derivative's revenue owed back (a duty on `derive`), in basis points
    revenue_share_bps: int = 0
    territory: tuple[str, ...] = ()
    community: str | None = None
    duration: str | None = None
    labels: tuple[str, ...] = ()
    target: str | None = None
    assigner: str | None = None

    def permits(self, use: str) -> bool:
        return bool(getattr(self, use))


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    summary: str
    terms: Terms
    needs: tuple[str, ...] = field(default=())


def _preset(name: str, title: str, summary: str, needs: tuple[str, ...] = (), **uses: Any) -> Preset:
    return Preset(name, title, summary, Terms(title=title, text="", **uses), needs)


PRESETS = {p.name: p for p in (
    _preset("open-attribution", "Open, with attribution", "every use, including commercial and AI training, if the "
            "source is credited", commercial=True, derivatives=True, redistribution=True, ai_training=True, tdm=True),
    _preset("research-only", "Research only (non-commercial)", "non-commercial research: analysis, derivatives and "
            "model training, no commercial use and no redistribution", commercial=False, derivatives=True,
            redistribution=False, ai_training=True, tdm=True),
    _preset("commercial-attribution", "Commercial use, with attribution and a revenue share", "every use including "
            "commercial; derivatives owe a share of their revenue", commercial=True, derivatives=True,
            redistribution=True, ai_training=True, tdm=True, revenue_share_bps=1000),
    _preset("ai-training-allowed", "AI training allowed, share-alike", "training models and text and data mining, "
            "commercially too; derived datasets keep these terms", commercial=True, derivatives=True,
            redistribution=True, ai_training=True, tdm=True, share_alike=True),
    _preset("no-ai-training", "No AI training", "any use except training AI models and text and data mining",
            commercial=True, derivatives=True, redistribution=True, ai_training=False, tdm=False),
    _preset("community-only", "Community use only (cultural data)", "use by the named community only, with its "
            "Local Contexts labels: no commercial use, no redistribution, no AI training", ("community",),
            commercial=False, derivatives=True, redistribution=False, ai_training=False, tdm=False,
            labels=("TK Community Use Only", "TK Non-Commercial", "BC Provenance")),
)}


# ---------------------------------------------------------------------- writing
def preset(name: str, *, attribution: str | None = None, community: str | None = None,
           territory: tuple[str, ...] = (), revenue_share_bps: int | None = None,
           labels: tuple[str, ...] = (), title: str | None = None) -> Terms:
    """The terms of preset `name`, filled in."""
    chosen = PRESETS.get(name)
    if chosen is None:
        raise TermsError(f"unknown terms preset {name!r}: use one of {', '.join(PRESETS)}")
    if "community" in chosen.needs and not community:
        raise TermsError(f"the {name} preset needs --community NAME (the community its data belongs to)")
    terms = replace(chosen.terms, attribution=attribution, community=community, territory=tuple(territory),
                    labels=tuple(dict.fromkeys((*chosen.terms.labels, *labels))), title=title or chosen.title)
    if revenue_share_bps is not None:
        terms = replace(terms, revenue_share_bps=revenue_share_bps)
    return replace(terms, text=describe(terms))


def uses(terms: Terms) -> tuple[list[str], list[str]]:
    """The uses `terms` permits and those it prohibits, in words."""
    return ([USE_WORDS[u] for u in USES if terms.permits(u)], [USE_WORDS[u] for u in USES if not terms.permits(u)])


def _conditions(terms: Terms) -> list[tuple[str, str]]:
    """Each duty or limit `terms` sets: (its sentence in the text, its phrase in a summary)."""
    share = f"{terms.revenue_share_bps / 100:g}%"
    return [pair for present, pair in (
        (terms.share_alike, ("Derived datasets must be offered under these same terms.",
                             "derived datasets keep these terms")),
        (terms.revenue_share_bps, (f"A derivative owes {share} of its revenue to this dataset.",
                                   f"derivatives owe {share} of revenue")),
        (terms.attribution, (f"Credit the source as: {(terms.attribution or '').rstrip('.')}.",
                             f"credit: {terms.attribution}")),
        (terms.community, (f"Only members of {terms.community} may use the data.",
                           f"members of {terms.community} only")),
        (terms.territory, (f"Only in: {', '.join(terms.territory)}.", "only in " + ", ".join(terms.territory))),
        (terms.duration, (f"For {terms.duration} (ISO 8601) from purchase.", f"for {terms.duration}")),
    ) if present]


def describe(terms: Terms) -> str:
    """The human-readable text of `terms` (what a buyer reads before paying)."""
    granted, refused = uses(terms)
    lines = [f"{terms.title}.", "Permitted: using the data" + (f", {join_words(granted)}" if granted else
                                                                " (reading and analysis only)") + "."]
    if refused:
        lines.append(f"Not permitted: {join_words(refused)}.")
    lines += [sentence for sentence, _ in _conditions(terms)]
    if terms.labels:
        lines.append(f"Local Contexts labels: {', '.join(terms.labels)}.")
    return " ".join(lines)


def join_words(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def to_document(terms: Terms) -> dict[str, Any]:
    """`terms` as an ODRL policy (compacted JSON-LD): a Set, or an Offer once it names its
    target dataset and its assigner."""
    def action(iri: str) -> str:
        return iri.replace(ODRL, "odrl:").replace(OC, "oc:")

    use: dict[str, Any] = {"action": "use"}
    constraints: list[dict[str, Any]] = []
    if terms.territory:
        constraints.append({"leftOperand": "spatial", "operator": "isAnyOf", "rightOperand": list(terms.territory)})
    if terms.community:
        constraints.append({"leftOperand": "oc:community", "operator": "eq", "rightOperand": terms.community})
    if terms.duration:
        constraints.append({"leftOperand": "elapsedTime", "operator": "lteq",
                            "rightOperand": {"@value": terms.duration, "@type": "xsd:duration"}})
    if constraints:
        use["constraint"] = constraints
    if terms.attribution:
        use["duty"] = [{"action": "attribute", "oc:attributionText": terms.attribution}]
    permissions: list[dict[str, Any]] = [use]
    prohibitions: list[dict[str, Any]] = []
    for name, iri in USES.items():
        rule: dict[str, Any] = {"action": action(iri)}
        if name == "derivatives" and terms.derivatives:
            duties: list[dict[str, Any]] = []
            if terms.share_alike:
                duties.append({"action": "nextPolicy"})
            if terms.revenue_share_bps:
                duties.append({"action": "compensate", "constraint": [
                    {"leftOperand": "percentage", "operator": "eq", "rightOperand": terms.revenue_share_bps / 100}]})
            if duties:
                rule["duty"] = duties
        (permissions if terms.permits(name) else prohibitions).append(rule)
    document: dict[str, Any] = {
        "@context": [ODRL_CONTEXT, {"oc": OC, "dct": DCT}],
        "@type": "Offer" if terms.target and terms.assigner else "Set",
        "uid": "urn:opencommons:terms:" + re.sub(r"[^a-z0-9]+", "-", terms.title.lower()).strip("-"),
        "profile": PROFILE,
        "dct:title": terms.title,
        "dct:description": terms.text or describe(terms),
        "permission": permissions,
    }
    if prohibitions:
        document["prohibition"] = prohibitions
    if terms.labels:
        document["oc:localContextsLabel"] = list(terms.labels)
    if terms.target:
        document["target"] = terms.target
    if terms.assigner:
        document["assigner"] = terms.assigner
    return document


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes a document is pinned and hashed as (sorted keys, no spaces, UTF-8)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest_of(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def cid_of_digest(digest: bytes) -> "Cid":
    from ..ipfs.cid import Cid

    return Cid.from_chain(CODEC_RAW, digest)


# ---------------------------------------------------------------------- reading
@lru_cache(maxsize=1)
def _context() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((_DATA / "odrl-context.jsonld").read_text())
    return loaded


def _loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the ODRL context from the package, nothing from the network."""
    if url.rstrip("/") in (ODRL_CONTEXT, ODRL_CONTEXT.replace("http:", "https:")):
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": _context()}
    raise TermsError(f"terms documents may only use the ODRL context and inline ones, not {url}")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((_DATA / "terms.schema.json").read_text())
    return loaded


def load(data: bytes | str | dict[str, Any], where: str = "the terms document") -> tuple[dict[str, Any], Terms]:
    """Validates a terms document (schema, then JSON-LD expansion, then OpenCommons' reading) and
    returns it with what it permits. Raises TermsError naming the first problem."""
    if isinstance(data, dict):
        document = data
    else:
        raw = data.encode() if isinstance(data, str) else data
        if len(raw) > MAX_DOCUMENT:
            raise TermsError(f"{where} is {len(raw):,} bytes, over the {MAX_DOCUMENT:,} a terms document may have")
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TermsError(f"{where} is not JSON: {exc}") from None
    import jsonschema

    try:
        jsonschema.validate(document, _schema())
    except jsonschema.ValidationError as exc:
        at = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        raise TermsError(f"{where} is not an ODRL terms document: at {at}, {exc.message}") from None
    from pyld import jsonld

    try:
        expanded = jsonld.expand(document, {"documentLoader": _loader})
    except TermsError:
        raise
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, TermsError):  # our loader's refusal, wrapped by pyld
            cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
        if cause is not None:
            raise TermsError(f"{where}: {cause}") from None
        raise TermsError(f"{where} is not valid JSON-LD: {exc.code or exc.type}") from None
    return document, _read(expanded, where)


def _read(expanded: list[dict[str, Any]], where: str) -> Terms:
    policies = [n for n in expanded if _POLICY_TYPES & set(n.get("@type", []))]
    if len(policies) != 1 or len(expanded) != 1:
        raise TermsError(f"{where} must hold exactly one ODRL policy (Set, Offer, Agreement or Policy)")
    policy = policies[0]
    if not policy.get("@id"):
        raise TermsError(f"{where} has no uid")
    said: dict[str, bool] = {}
    terms: dict[str, Any] = {"share_alike": False, "revenue_share_bps": 0, "attribution": None, "territory": (),
                             "community": None, "duration": None}
    used = False
    for key, permitted in ((_PERMISSION, True), (_PROHIBITION, False)):
        for rule in policy.get(key, []):
            iri = _action(rule, where)
            if iri == ODRL + "use" and permitted:
                used = True
                _read_use(rule, terms, where)
                continue
            use = next((u for u, a in USES.items() if a == iri), None)
            if use is None:
                raise TermsError(f"{where} {'permits' if permitted else 'prohibits'} {_short(iri)}, which "
                                 "OpenCommons does not read: state only use, "
                                 f"{join_words([_short(a) for a in USES.values()])}")
            if use in said:
                raise TermsError(f"{where} states {_short(iri)} twice" + (" (permitted and prohibited)"
                                                                            if said[use] != permitted else ""))
            said[use] = permitted
            if rule.get(_CONSTRAINT):
                raise TermsError(f"{where} puts a constraint on {_short(iri)}: OpenCommons reads constraints on "
                                 "use only")
            if permitted and use == "derivatives":
                _read_derive(rule, terms, where)
            elif rule.get(_DUTY):
                raise TermsError(f"{where} puts a duty on {_short(iri)}: OpenCommons reads duties on use and "
                                 "derive only")
    if not used:
        raise TermsError(f"{where} does not permit use: a licence to it would grant nothing")
    missing = [u for u in USES if u not in said]
    if missing:
        raise TermsError(f"{where} does not say whether it permits {join_words([USE_WORDS[u] for u in missing])}: "
                         "permit or prohibit each")
    labels = tuple(v.get("@value") for v in policy.get(OC + "localContextsLabel", []))
    unknown = [label for label in labels if label not in LOCAL_CONTEXTS_LABELS]
    if unknown:
        raise TermsError(f"{where} has an unknown Local Contexts label {unknown[0]!r}")
    text = _value(policy, DCT + "description")
    if not text:
        raise TermsError(f"{where} has no human-readable text (dct:description)")
    return Terms(title=_value(policy, DCT + "title") or "Licence terms", text=text, labels=labels,
                 target=_id(policy, ODRL + "target"), assigner=_id(policy, ODRL + "assigner"),
                 commercial=said["commercial"], derivatives=said["derivatives"],
                 redistribution=said["redistribution"], ai_training=said["ai_training"], tdm=said["tdm"], **terms)


def _short(iri: str) -> str:
    return iri.replace(ODRL, "odrl:").replace(OC, "oc:")


def _value(node: dict[str, Any], key: str) -> str | None:
    values = node.get(key, [])
    return str(values[0].get("@value")) if values and "@value" in values[0] else None


def _id(node: dict[str, Any], key: str) -> str | None:
    values = node.get(key, [])
    return values[0].get("@id") if values else None


def _action(rule: dict[str, Any], where: str) -> str:
    actions = rule.get(_ACTION, [])
    if len(actions) != 1 or "@id" not in actions[0]:
        raise TermsError(f"{where} has a rule with {'no' if not actions else 'a refined or more than one'} action: "
                         "give each rule one plain action")
    return str(actions[0]["@id"])


def _operand(constraint: dict[str, Any], where: str) -> tuple[str, str, list[Any]]:
    left = _id(constraint, ODRL + "leftOperand")
    operator = _id(constraint, ODRL + "operator")
    right = [v.get("@value", v.get("@id")) for v in constraint.get(ODRL + "rightOperand", [])]
    if not left or not operator or not right:
        raise TermsError(f"{where} has a constraint without a left operand, an operator or a right operand")
    return left, operator, right


def _read_use(rule: dict[str, Any], terms: dict[str, Any], where: str) -> None:
    for constraint in rule.get(_CONSTRAINT, []):
        left, operator, right = _operand(constraint, where)
        if left == ODRL + "spatial" and operator in (ODRL + "isAnyOf", ODRL + "eq"):
            terms["territory"] = tuple(str(r) for r in right)
        elif left == OC + "community" and operator == ODRL + "eq" and len(right) == 1:
            terms["community"] = str(right[0])
        elif left == ODRL + "elapsedTime" and operator in (ODRL + "lteq", ODRL + "eq") and len(right) == 1:
            terms["duration"] = str(right[0])
        else:
            raise TermsError(f"{where} constrains use by {_short(left)} {_short(operator)}, which OpenCommons does "
                             "not read: use spatial isAnyOf, oc:community eq or elapsedTime lteq")
    for duty in rule.get(_DUTY, []):
        if _action(duty, where) != ODRL + "attribute":
            raise TermsError(f"{where} puts a duty other than attribute on use")
        terms["attribution"] = _value(duty, OC + "attributionText") or "the dataset and its contributors"


def _read_derive(rule: dict[str, Any], terms: dict[str, Any], where: str) -> None:
    for duty in rule.get(_DUTY, []):
        iri = _action(duty, where)
        if iri == ODRL + "nextPolicy":
            terms["share_alike"] = True
        elif iri == ODRL + "compensate":
            share = [r for c in duty.get(_CONSTRAINT, []) for left, _, r in [_operand(c, where)]
                     if left == ODRL + "percentage"]
            try:
                percent = float(share[0][0]) if share and len(share[0]) == 1 else -1.0
            except (TypeError, ValueError):
                percent = -1.0
            if not 0 < percent <= 100:
                raise TermsError(f"{where} owes compensation on derive without one percentage between 0 and 100")
            terms["revenue_share_bps"] = round(percent * 100)
        else:
            raise TermsError(f"{where} puts a duty on derive that OpenCommons does not read: {_short(iri)}")


def summary(terms: Terms) -> list[str]:
    """Short lines for a terminal: what is permitted, refused and owed."""
    granted, refused = uses(terms)
    lines = [f"terms: {terms.title}", "permits: " + (join_words(granted) if granted else "reading and analysis only")]
    if refused:
        lines.append("prohibits: " + join_words(refused))
    duties = [phrase for _, phrase in _conditions(terms)]
    if duties:
        lines.append("requires: " + "; ".join(duties))
    if terms.labels:
        lines.append("labels: " + ", ".join(terms.labels))
    return lines
