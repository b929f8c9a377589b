"""A model's card: what it was trained on, each dataset named by id and CIDs, so anyone can fetch
and verify the very data (and the commons' royalties reach those datasets' contributors)."""

from __future__ import annotations

from typing import Any

from ..names import manifest_names
from ..queries import dataset_view
from .croissant import licence_urls

SCHEMA = "opencommons/model/v1"


def trained_on(commons: Any, store: Any, dataset_ids: list[int]) -> list[dict[str, Any]]:
    """Each training dataset's record (refused in one line when one does not exist)."""
    out = []
    for dataset_id in dataset_ids:
        view = dataset_view(commons, dataset_id)
        named = manifest_names(store, view["manifest"], view["commons"])
        out.append({"id": str(dataset_id), "name": named.get("name"), "commons": named.get("commonsCode"),
                    "content": view["content"], "manifest": view["manifest"], "license": view["license"],
                    "status": view["status"]})
    return out


def render(name: str, description: str, license_id: str, datasets: list[dict[str, Any]],
           weights: dict[str, int] | None = None) -> bytes:
    """The card in Markdown; with `weights` (a training log's, by dataset id) each dataset's share
    of what the run read, heaviest first."""
    lines = [*_front_matter(license_id, datasets), f"# {name}", "", description or "A model published on OpenCommons.",
             "",
             f"Licence: {license_id} ({', '.join(licence_urls(license_id))})", "",
             "## Trained on", ""]
    if weights:
        total = sum(weights.values())
        datasets = sorted(datasets, key=lambda d: (-weights.get(d["id"], 0), int(d["id"])))
        lines += ["| dataset | name | commons | licence | share of the data read | content CID | manifest CID |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for d in datasets:
            share = 100 * weights.get(d["id"], 0) / total
            lines.append(f"| {d['id']} | {d['name'] or '(manifest not at hand)'} | {d.get('commons') or '?'} | "
                         f"{d['license']} | {share:.2f}% | {d['content']} | {d['manifest']} |")
    else:
        lines += ["| dataset | name | licence | content CID | manifest CID |", "| --- | --- | --- | --- | --- |"]
        for d in datasets:
            lines.append(f"| {d['id']} | {d['name'] or '(manifest not at hand)'} | {d['license']} | "
                         f"{d['content']} | {d['manifest']} |")
    lines += ["", "Fetch and verify any of them with `commons dataset get ID DIR`. A licence bought for this "
              "model pays the share its publisher set for its parents to these datasets' contributors.", ""]
    return "\n".join(lines).encode()


def _front_matter(license_id: str, datasets: list[dict[str, Any]]) -> list[str]:
    """The Hugging Face model card's YAML header: the licence (its Hub identifier, the SPDX id in
    lower case, or `other` with its name and page for an expression) and the training datasets,
    each by id with its commons."""
    import json

    simple = " " not in license_id.strip() and not license_id.startswith("LicenseRef-")
    head = ["---", f"license: {license_id.lower() if simple else 'other'}"]
    if not simple:
        head += [f"license_name: {json.dumps(license_id)}",
                 f"license_link: {json.dumps(licence_urls(license_id)[0])}"]
    head += ["tags:", "- opencommons", "datasets:"]
    for d in datasets:
        named = f"opencommons:{d.get('commons') or 'unknown'}/{d['id']}"
        head.append(f"- {json.dumps(named)}")
    return head + ["---", ""]
