"""The API reference is generated from the docstrings (pdoc), and the public surface has them all."""
import importlib
import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from api_docs import PUBLIC_API, generate  # noqa: E402


def test_reference_is_generated_for_every_public_module(tmp_path):
    pages = generate(tmp_path)
    assert (tmp_path / "index.html").is_file()
    for page in pages:
        assert page.is_file(), page
    client = (tmp_path / "opencommons" / "sdk.html").read_text()
    for method in ("publish", "buy_licence", "claim", "vote", "load_dataset"):
        assert f"Client.{method}" in client or f'id="Client.{method}"' in client, method


def _public(module):
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(value):
            yield f"{module.__name__}.{name}", value
        elif inspect.isclass(value):
            yield f"{module.__name__}.{name}", value
            for attr, member in vars(value).items():
                if not attr.startswith("_") and (inspect.isfunction(member) or isinstance(member, property)):
                    yield f"{module.__name__}.{name}.{attr}", member


def test_every_public_function_class_and_method_has_a_docstring():
    undocumented = [where for module in PUBLIC_API for where, value in _public(importlib.import_module(module))
                    if not (inspect.getdoc(value) or "").strip()]
    assert undocumented == []
