"""The folder OpenCommons keeps its own state in: ``$OPENCOMMONS_HOME``, default ``~/.opencommons``
(joined commons, keystores, the index, journals, downloads, the embedded IPFS store)."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "OPENCOMMONS_HOME"


def opencommons_home(*parts: str) -> Path:
    """``$OPENCOMMONS_HOME`` (or ``~/.opencommons``), joined with `parts`."""
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".opencommons").joinpath(*parts)
