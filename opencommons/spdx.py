"""SPDX licence identifiers, checked against the list shipped with the package
(``data/spdx-license-ids.json``, from npm ``spdx-license-ids`` 3.0.24, CC0-1.0)."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path

from .errors import PublishError

_DATA = Path(__file__).resolve().parent / "data" / "spdx-license-ids.json"


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(_DATA.read_text())
    return frozenset(data["licenses"]), frozenset(data["deprecated"])


def check_license(identifier: str) -> str:
    """Returns the identifier in its canonical case, or raises PublishError with a hint."""
    current, deprecated = _lists()
    by_lower = {i.lower(): i for i in current}
    canonical = by_lower.get(identifier.lower())
    if canonical:
        return canonical
    if identifier in deprecated:
        raise PublishError(f"SPDX licence {identifier!r} is deprecated; use its current identifier")
    close = difflib.get_close_matches(identifier, sorted(current), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise PublishError(f"unknown SPDX licence identifier {identifier!r}{hint}")
