"""A child's licence checked against its parents': a derived dataset (`--parent`), a new version
(`--previous`) or a model (`--trained-on`). The rules are data (`data/licence-rules.json`: what
each listed licence permits and which licences a share-alike one allows a child). A dataset that
sells licences under a terms document is read by its terms (the commons' statement of what may
be done with it), on both sides: a parent's terms may forbid what its licence allows, a child's
may grant what its licence does not. An SPDX `OR` leaves a choice: a parent passes when one of
its choices passes, a child only when every one of its choices does (whoever takes the child may
pick any). `AND` means all apply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import spdx
from .odrl import USE_WORDS, Terms

_RULES = Path(__file__).resolve().parent.parent / "data" / "licence-rules.json"
KINDS = ("derived", "version", "model")
_USES = ("commercial", "derivatives", "redistribution", "ai_training")
_KEYS = {"commercial": "commercial", "derivatives": "derivatives", "redistribution": "redistribution",
         "ai_training": "aiTraining"}


@lru_cache(maxsize=1)
def rules() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = json.loads(_RULES.read_text())["licences"]
    return table


@dataclass(frozen=True)
class Licensed:
    """One side of a check: a dataset's SPDX expression and the terms it sells (if any)."""
    label: str
    expression: str
    terms: Terms | None = None


@dataclass(frozen=True)
class Finding:
    level: str  # "refused", "note" or "ok"
    parent: str
    text: str

    def __str__(self) -> str:
        return f"{self.parent}: {self.text}"


@dataclass(frozen=True)
class LicenceView:
    """What one choice of an expression (its licences together) permits; None: not in the table."""
    licences: tuple[str, ...]
    permits: dict[str, bool] | None
    share_alike: frozenset[str] | None
    attribution: bool


def view_of(licences: list[str]) -> LicenceView:
    table = rules()
    if any(k not in table for k in licences):
        return LicenceView(tuple(licences), None, None, False)
    permits = {u: all(table[k][_KEYS[u]] for k in licences) for u in _USES}
    sa_sets = [frozenset(table[k]["shareAlike"]) for k in licences if "shareAlike" in table[k]]
    share_alike = frozenset.intersection(*sa_sets) if sa_sets else None
    return LicenceView(tuple(licences), permits, share_alike, any(table[k]["attribution"] for k in licences))


def _with_terms(view: LicenceView, terms: Terms | None) -> LicenceView:
    """What a dataset permits in the commons: its terms document's uses when it sells one (the
    commons' own statement of what may be done, whichever way it departs from the SPDX licence),
    else its licence's. Share-alike and attribution of the licence still apply."""
    if terms is None:
        return view
    return LicenceView(view.licences, {u: terms.permits(u) for u in _USES}, view.share_alike,
                       view.attribution or bool(terms.attribution))


def _problems(parent: LicenceView, child: LicenceView, parent_terms: Terms | None, child_terms: Terms | None,
              kind: str) -> list[str]:
    assert parent.permits is not None
    where = f"{' AND '.join(parent.licences)}" + (f" with its terms ({parent_terms.title})" if parent_terms else "")
    found = []
    if kind != "version" and not parent.permits["derivatives"]:
        found.append(f"{where} permits no derivatives, so it can have no {'model' if kind == 'model' else 'child'}")
    if kind == "model" and not parent.permits["ai_training"]:
        found.append(f"{where} forbids training AI models")
    if child.permits is not None:
        for use in ("commercial", "ai_training", "redistribution"):
            if use == "redistribution" and kind != "version":
                continue  # a child of its own making may be shared; the note below says what that means
            if not parent.permits[use] and child.permits[use]:
                found.append(f"{where} forbids {USE_WORDS[use]}, but the child's "
                             f"{' AND '.join(child.licences)}{f' with its terms ({child_terms.title})' if child_terms else ''} permits it")
    if kind != "model" and parent.share_alike is not None and not set(child.licences) <= parent.share_alike:
        found.append(f"{where} is share-alike: a child must be licensed {' or '.join(sorted(parent.share_alike))}, "
                     f"not {' AND '.join(child.licences)}")
    if kind != "model" and parent_terms is not None and parent_terms.share_alike and \
            (child_terms is None or not child_terms.share_alike):
        found.append(f"{where} requires derived datasets to keep its terms (share-alike): offer the child under "
                     "the same terms")
    return found


def check(child: Licensed, parents: list[Licensed], kind: str) -> list[Finding]:
    """Every parent's verdict: "refused" findings name the parent and the term; "note"s are what
    the child owes (attribution, revenue shares) or could not be checked; "ok" says why it passed."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    child_views = [_with_terms(view_of(alt), child.terms) for alt in spdx.alternatives(child.expression)]
    findings: list[Finding] = []
    for parent in parents:
        views = [_with_terms(view_of(alt), parent.terms) for alt in spdx.alternatives(parent.expression)]
        known = [v for v in views if v.permits is not None]
        if not known:
            findings.append(Finding("note", parent.label, f"{parent.expression} is not in the rules table and sells no "
                                    "terms document: not checked; read its text before publishing"))
            continue
        verdicts = [(v, [p for c in child_views for p in _problems(v, c, parent.terms, child.terms, kind)])
                    for v in known]
        passing = next((v for v, problems in verdicts if not problems), None)
        if passing is None:
            findings.append(Finding("refused", parent.label, verdicts[0][1][0]))
            continue
        findings.append(Finding("ok", parent.label, _explain(passing, parent.terms)))
        if passing.attribution:
            credit = parent.terms.attribution if parent.terms and parent.terms.attribution else None
            findings.append(Finding("note", parent.label, "credit it" + (f" as: {credit}" if credit else
                                                                          " (its id and contributors)")))
        if parent.terms is not None and parent.terms.revenue_share_bps and kind != "version":
            findings.append(Finding("note", parent.label, f"its terms ask {parent.terms.revenue_share_bps / 100:g}% of "
                                    "the child's revenue: set --ancestor-bps at least that"))
        if kind == "derived" and not passing.permits["redistribution"]:  # type: ignore[index]
            findings.append(Finding("note", parent.label, "its redistribution is not permitted: the child must not "
                                    "contain its data, only what was derived from it"))
    return findings


def _explain(view: LicenceView, terms: Terms | None) -> str:
    permits = view.permits or {}
    granted = [USE_WORDS[u] for u in _USES if permits.get(u)]
    refused = [USE_WORDS[u] for u in _USES if not permits.get(u)]
    said = f"{' AND '.join(view.licences)}" + (f" with its terms ({terms.title})" if terms else "")
    text = f"{said} permits {', '.join(granted) or 'no listed use'}"
    if refused:
        text += f"; not {', '.join(refused)}"
    if view.share_alike is not None:
        text += f"; share-alike ({' or '.join(sorted(view.share_alike))})"
    return text + ": compatible"


def refusal(findings: list[Finding]) -> str | None:
    """The first refusal as one line, or None."""
    refused = [f for f in findings if f.level == "refused"]
    if not refused:
        return None
    more = f" (and {len(refused) - 1} more: see --explain)" if len(refused) > 1 else ""
    return f"the licence is incompatible with {refused[0]}{more}"
