"""SPDX licence expressions (`MIT OR Apache-2.0`, `CC-BY-4.0 AND LicenseRef-Maori-TK-1.0`), parsed
and normalised by the `license-expression` library and its bundled licence database (nothing is
fetched). `LicenseRef-` identifiers name a community's own terms; their text is published beside
the data (a file named after the identifier, or LICENSE)."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import PublishError

_REF = re.compile(r"^(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$")
#: where a LicenseRef's text may sit in the published folder
TEXT_SUFFIXES = ("", ".txt", ".md")


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def _is_custom(key: str) -> bool:
    """A community's own LicenseRef (the scancode references in the database are listed licences)."""
    return bool(_REF.match(key)) and not key.startswith("LicenseRef-scancode-")


def check_expression(expression: str) -> str:
    """The expression normalised (canonical case, deprecated ids replaced), or PublishError naming
    the unknown identifier (with the closest known one) or the syntax error."""
    from license_expression import ExpressionError, ExpressionParseError

    text = expression.strip()
    if not text:
        raise PublishError("the licence is empty: give an SPDX expression such as CC-BY-4.0 or MIT OR Apache-2.0")
    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=False, strict=True)
    except (ExpressionError, ExpressionParseError) as exc:
        raise PublishError(f"the licence {expression!r} is not an SPDX expression: {exc}") from None
    if parsed is None:
        raise PublishError(f"the licence {expression!r} is not an SPDX expression")
    unknown = [k for k in licensing.unknown_license_keys(parsed) if not _is_custom(k)]
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(licensing.known_symbols), n=1)
        hint = f" (did you mean {close[0]}?)" if close else \
            "; a community's own licence is LicenseRef-NAME, with its text published beside the data"
        raise PublishError(f"unknown SPDX licence identifier {unknown[0]!r} in {expression!r}{hint}")
    return str(parsed.render())


def identifiers(expression: str) -> list[str]:
    """Every licence identifier in the expression (exceptions after WITH left out)."""
    licensing = _licensing()
    parsed = licensing.parse(expression, validate=False)
    exceptions = set()
    from license_expression import LicenseWithExceptionSymbol

    for symbol in licensing.license_symbols(parsed, unique=False, decompose=False):
        if isinstance(symbol, LicenseWithExceptionSymbol):
            exceptions.add(symbol.exception_symbol.key)
    return [k for k in licensing.license_keys(parsed) if k not in exceptions]


def alternatives(expression: str) -> list[list[str]]:
    """The expression as the choices it leaves (OR), each the licences that all apply (AND):
    `MIT OR (CC-BY-4.0 AND ODbL-1.0)` is [[MIT], [CC-BY-4.0, ODbL-1.0]]."""
    from license_expression import AND, LicenseWithExceptionSymbol, OR

    def walk(node: Any) -> list[list[str]]:
        if isinstance(node, LicenseWithExceptionSymbol):
            return [[node.license_symbol.key]]
        if isinstance(node, OR):
            return [alt for arg in node.args for alt in walk(arg)]
        if isinstance(node, AND):
            result: list[list[str]] = [[]]
            for arg in node.args:
                result = [a + b for a in result for b in walk(arg)]
            return result
        return [[node.key]]

    return walk(_licensing().parse(expression, validate=False))


def custom_identifiers(expression: str) -> list[str]:
    return [k for k in identifiers(expression) if _is_custom(k)]


def url(identifier: str) -> str:
    """Where a listed licence's text lives (a LicenseRef's text is beside the data)."""
    return f"https://spdx.org/licenses/{identifier}.html"


def urls(expression: str) -> list[str]:
    return [url(k) for k in identifiers(expression) if not _is_custom(k)]


def text_file(directory: Path, identifier: str) -> str | None:
    """The file in `directory` holding a LicenseRef's text: `LicenseRef-X`, `.txt`, `.md`, or LICENSE
    when the expression names one custom licence."""
    name = identifier.split(":")[-1]
    for candidate in [name + s for s in TEXT_SUFFIXES]:
        if (directory / candidate).is_file():
            return candidate
    return None


def check_texts(directory: Path, expression: str) -> None:
    """Every LicenseRef in `expression` has its text in the folder being published."""
    custom = custom_identifiers(expression)
    for identifier in custom:
        if text_file(directory, identifier) is None and not (len(custom) == 1 and _has_licence_file(directory)):
            raise PublishError(f"the licence {identifier} is the community's own: publish its text beside the data, "
                               f"as {identifier.split(':')[-1]}.txt (or LICENSE) in {directory}")


def _has_licence_file(directory: Path) -> bool:
    return any((directory / name).is_file() for name in ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE"))
