"""How every benchmark prints its figures: one JSON object with --json, else one line a figure."""

from __future__ import annotations


def emit(figures: dict[str, object], as_json: bool, width: int = 32) -> None:
    import json

    if as_json:
        print(json.dumps(figures, sort_keys=True))
    else:
        for key, value in figures.items():
            print(f"{key:{width}s} {value}")
