"""The Python API reference, generated from the docstrings with pdoc: `make docs` writes
docs/api/index.html. PUBLIC_API is the surface the README documents; tests/python/test_api_docs.py
checks that every public function, class and method in it has a docstring."""

from __future__ import annotations

import sys
from pathlib import Path

PUBLIC_API = (
    "opencommons.sdk",            # Client: every role from Python
    "opencommons.ml.api",         # load_dataset, to_pandas, open_local
    "opencommons.ml.fs",          # the oc:// fsspec filesystem
    "opencommons.actions",        # what each role does on-chain
    "opencommons.publish",        # the publish pipeline
    "opencommons.references",     # commons references, joining
    "opencommons.connection",     # chains, accounts, the commons a command acts on
)


def generate(output: Path) -> list[Path]:
    """Writes the reference into `output`; returns the module pages written."""
    import pdoc

    pdoc.render.configure(docformat="markdown", footer_text="OpenCommons", search=True)
    pdoc.pdoc(*PUBLIC_API, output_directory=output)
    return [output.joinpath(*module.split(".")).with_suffix(".html") for module in PUBLIC_API]


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/api")
    pages = generate(target)
    missing = [p for p in pages if not p.is_file()]
    if missing:
        sys.exit(f"error: pdoc wrote no page for {missing[0]}")
    print(f"wrote the API reference of {len(pages)} modules: {target / 'index.html'}")
