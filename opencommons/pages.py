"""A dataset's home page, as people and search engines read it.

The card is the dataset's README rendered from Markdown with raw HTML turned off, then sanitised
(an allow-list of tags and attributes; a link or image is kept only when it points into the
dataset's own content on this server or to a host the server names). The page carries the facts,
the downloads (each file, the Croissant document, the whole content as a CAR), snippets that use
the dataset, and its schema.org metadata (the Croissant JSON-LD) embedded, so dataset search
engines index the commons: one page per dataset at `/datasets/ID`, listed in `/sitemap.xml`.

Everything a page shows comes from content a stranger published: it is escaped, or sanitised, and
the page runs no script (its Content-Security-Policy says so).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

#: tags a card may keep; anything else is dropped (its text kept)
CARD_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
             "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
             "th", "thead", "tr", "ul"}
CARD_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"},
                   "ol": {"start"}}
#: a README read for a card at most (a longer one is cut, and says so)
CARD_MAX_BYTES = 256 * 1024
#: the Content-Security-Policy of a dataset page: no script, images and styles from here only
PAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

README_NAMES = ("readme.md", "readme.markdown", "readme.txt", "readme")
#: the languages a dataset's page is written in (`opencommons/data/locales/CODE.json`), the first the default
LANGUAGES = ("en", "sw", "pt", "fr")


def texts(language: str) -> dict[str, str]:
    """The page's words in `language` (one of LANGUAGES)."""
    from importlib.resources import files

    return dict(json.loads((files("opencommons") / "data" / "locales" / f"{language}.json").read_text("utf-8")))


def pick_language(asked: str | None, accept: str | None) -> str:
    """The page's language: `?lang=` when it is one of LANGUAGES, else the best of the browser's
    Accept-Language (`sw-KE,sw;q=0.9,en;q=0.8`), else English."""
    if asked and asked.lower() in LANGUAGES:
        return asked.lower()
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, i, base))
    return min(ranked)[2] if ranked else LANGUAGES[0]


def render_card(markdown: str, base: str, hosts: Iterable[str] = ()) -> str:
    """`markdown` as safe HTML. `base` is where the dataset's content is served (`/ipfs/CID/`):
    relative links and images resolve under it and may not climb out of it; absolute ones are
    kept only for `hosts` (http and https only, images never). Raw HTML in the Markdown is shown
    as text, never passed through."""
    import nh3
    from markdown_it import MarkdownIt

    allowed = {h.lower() for h in hosts}
    root = base if base.endswith("/") else base + "/"

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":  # table cell alignment only, as markdown-it writes it
            return value if value in ("text-align:left", "text-align:center", "text-align:right") else None
        if attribute not in ("href", "src"):
            return value
        if "%2e" in value.lower() or "\\" in value:  # dot segments a browser decodes, or reads as a slash
            return None
        url = urljoin(root, value.strip())
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc:
            return url if url.startswith(root) else None  # into the content, never above it
        if tag == "a" and parts.scheme in ("http", "https") and (parts.hostname or "").lower() in allowed:
            return url
        return None

    rendered = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).render(markdown)
    return str(nh3.clean(rendered, tags=CARD_TAGS, attributes=CARD_ATTRIBUTES, attribute_filter=keep,
                         link_rel="noopener noreferrer nofollow ugc", url_schemes={"http", "https"},
                         strip_comments=True))


def readme_of(manifest: dict[str, Any]) -> str | None:
    """The path of the dataset's README among its files (the top-level one), if any."""
    paths = [str(f.get("path")) for f in manifest.get("files", []) if isinstance(f, dict) and "/" not in
             str(f.get("path"))]
    for name in README_NAMES:
        for path in paths:
            if path.lower() == name:
                return path
    return None


def read_readme(store: Any, content: str, path: str, longer: str = "(The README is longer: open the file.)") -> str:
    """The README's text (its first CARD_MAX_BYTES, every block verified as it is read)."""
    from .ipfs.blocks import budgeted
    from .ipfs.directory import resolve
    from .ipfs.store import cat

    data = b""
    cid = resolve(store, f"/ipfs/{content}/{path}")
    for chunk in cat(budgeted(store, what=f"reading {path}"), cid):
        data += chunk
        if len(data) >= CARD_MAX_BYTES:
            return data[:CARD_MAX_BYTES].decode("utf-8", "replace") + f"\n\n*{longer}*"
    return data.decode("utf-8", "replace")


def json_ld(document: dict[str, Any]) -> str:
    """A JSON-LD document to embed in a `<script type="application/ld+json">`: no `</script>`,
    `<!--` or `&` can close or confuse the element whatever the document holds."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def snippets(dataset_id: int, content: str, files: list[str],
             words: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Code that uses the dataset, with its real reference: Python, the command line, fsspec."""
    words = words or texts("en")
    first = next((f for f in files if f.lower().endswith((".csv", ".parquet", ".jsonl"))), files[0] if files else "")
    python = f'import opencommons\nds = opencommons.load_dataset("{dataset_id}", split="train")'
    out = [{"label": words["python"], "code": python},
           {"label": words["commandLine"], "code": f"commons dataset get {dataset_id} ./data"}]
    if first:
        out.append({"label": words["fsspec"],
                    "code": f'import pandas as pd\ndf = pd.read_{_reader(first)}("oc://{content}/{first}")'})
    return out


def _reader(path: str) -> str:
    lower = path.lower()
    return "parquet" if lower.endswith(".parquet") else "json" if lower.endswith(".jsonl") else "csv"


def card_view(store: Any, view: dict[str, Any], manifest: dict[str, Any], hosts: Iterable[str] = (),
              language: str = "en") -> dict[str, Any]:
    """What the explorer's dataset page shows above the facts: the card (sanitised HTML, or None
    without a README or for a private dataset), the downloads and the snippets."""
    words = texts(language)
    dataset_id, content = int(view["id"]), str(view["content"])
    private = isinstance(manifest.get("private"), dict)
    files = [] if private else [str(f["path"]) for f in manifest.get("files", [])
                                if isinstance(f, dict) and _plain_path(f.get("path"))]
    readme = None if private else readme_of(manifest)
    card = render_card(read_readme(store, content, readme, words["readmeLonger"]), f"/ipfs/{content}/", hosts) \
        if readme else None
    downloads = [{"label": path, "href": f"/ipfs/{content}/{quote(path)}"} for path in files]
    if manifest.get("croissant"):
        downloads.append({"label": words["croissant"], "href": f"/ipfs/{manifest['croissant']}"})
    if not private:
        downloads.append({"label": words["car"], "href": f"/ipfs/{content}?format=car"})
    return {"card": card, "readme": readme, "page": f"/datasets/{dataset_id}", "downloads": downloads,
            "names": languages_of(manifest, "name"), "descriptions": languages_of(manifest, "description"),
            "snippets": [] if private else snippets(dataset_id, content, files, words)}


def _plain_path(path: Any) -> bool:
    """A manifest's file path that stays inside its content (a hostile manifest may say `../x`)."""
    return isinstance(path, str) and bool(path) and all(part not in ("", ".", "..") and "\\" not in part
                                                         for part in path.split("/"))


def listed(view: dict[str, Any]) -> bool:
    """Whether a dataset is offered to search engines: published and not rejected or retired."""
    return view.get("status") in ("Proposed", "Accepted")


def localized(manifest: dict[str, Any], field: str, language: str) -> str:
    """The manifest's `name` or `description` in `language` (`names`/`descriptions`, by exact tag
    or its base language), else the one it was published with."""
    others = manifest.get(f"{field}s")
    if isinstance(others, dict):
        for tag, text in others.items():
            if isinstance(tag, str) and isinstance(text, str) and tag.lower().split("-")[0] == language:
                return text
    default = manifest.get(field)
    return default if isinstance(default, str) else ""


def languages_of(manifest: dict[str, Any], field: str) -> dict[str, str]:
    """The manifest's `names` or `descriptions`: language tag -> text (what is not text dropped)."""
    others = manifest.get(f"{field}s")
    return {t: v for t, v in others.items() if isinstance(t, str) and isinstance(v, str)} \
        if isinstance(others, dict) else {}


#: a dataset page's facts, in order: (the word's key, the view's field)
FACTS = (("licence", "license"), ("commons", "commonsText"), ("status", "status"), ("published", "publishedText"),
         ("contributors", "contributorsText"), ("datasetId", "id"), ("content", "content"), ("manifest", "manifest"))


def dataset_page(store: Any, view: dict[str, Any], manifest: dict[str, Any], croissant: dict[str, Any] | None,
                 origin: str, hosts: Iterable[str] = (), language: str = "en") -> str:
    """The dataset's page (`/datasets/ID`) in `language`: its name and description (as
    published), card, facts, downloads, snippets, links to the page in the other languages and,
    for a public dataset, its Croissant JSON-LD (with this page as its `url`). `view` carries the
    facts' texts (`FACTS`)."""
    words = texts(language)
    shown = card_view(store, view, manifest, hosts, language)
    name = localized(manifest, "name", language) or f"Dataset {view['id']}"
    description = localized(manifest, "description", language)
    page = f"{origin}{shown['page']}"
    canonical = page if language == LANGUAGES[0] else f"{page}?lang={language}"
    head = [f"<title>{html.escape(name)} · OpenCommons</title>",
            f'<meta name="description" content="{html.escape(description[:300])}">',
            f'<link rel="canonical" href="{html.escape(canonical)}">',
            *(f'<link rel="alternate" hreflang="{code}" href="{html.escape(page)}?lang={code}">' for code in LANGUAGES),
            f'<link rel="alternate" hreflang="x-default" href="{html.escape(page)}">']
    if not listed(view):
        head.append('<meta name="robots" content="noindex">')
    if croissant is not None and not isinstance(manifest.get("private"), dict):
        head.append(f'<script type="application/ld+json">{json_ld({**croissant, "url": page})}</script>')
    facts = [(words[key], words.get(f"status.{view[field]}", str(view[field])) if key == "status" else str(view[field]))
             for key, field in FACTS if view.get(field) is not None]
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts)
    downloads = "".join(f'<li><a href="{html.escape(d["href"])}">{html.escape(d["label"])}</a></li>'
                        for d in shown["downloads"])
    uses = "".join(f"<h3>{html.escape(s['label'])}</h3><pre tabindex=\"0\"><code>{html.escape(s['code'])}</code>"
                   "</pre>" for s in shown["snippets"])
    card = shown["card"] or f"<p>{html.escape(words['noReadme'])}</p>"
    takedown = (f'<p class="takedown" role="alert">{html.escape(words["rights.takenDown"])}</p>'
                if view.get("status") == "Suspended" else "")
    others = " · ".join(
        f'<a href="?lang={code}" hreflang="{code}" lang="{code}">{html.escape(texts(code)["_name"])}</a>'
        if code != language else f"<strong>{html.escape(words['_name'])}</strong>" for code in LANGUAGES)
    body = (f"<nav aria-label=\"{html.escape(words['language'])}\"><p>{others}</p></nav>"
            f"<main><h1>{html.escape(name)}</h1>{takedown}<p class=\"description\">{html.escape(description)}</p>"
            f"<section id=\"card\" aria-label=\"{html.escape(words['card'])}\">{card}</section>"
            f"<section id=\"facts\"><h2>{html.escape(words['facts'])}</h2><dl>{rows}</dl></section>"
            f"<section id=\"downloads\"><h2>{html.escape(words['download'])}</h2><ul>{downloads}</ul></section>"
            f"<section id=\"use\"><h2>{html.escape(words['use'])}</h2>{uses}</section>"
            f"<p><a href=\"/#/dataset/{html.escape(str(view['id']))}\">{html.escape(words['openExplorer'])}</a></p>"
            "</main>")
    return (f"<!doctype html><html lang=\"{language}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{''.join(head)}"
            f"<style>{_STYLE}</style></head><body>{body}</body></html>")


def missing_page(message: str, language: str = "en") -> str:
    """The page a stale or mistyped dataset link gets (a 404 or 400): what is wrong in one line, in
    the library's words, and the way to the commons' datasets; never indexed."""
    words = texts(language)
    return (f"<!doctype html><html lang=\"{language}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta name=\"robots\" content=\"noindex\"><title>{html.escape(words['pageMissing'])} · OpenCommons</title>"
            f"<style>{_STYLE}</style></head><body><main><h1>{html.escape(words['pageMissing'])}</h1>"
            f"<p lang=\"en\">{html.escape(message)}</p><p><a href=\"/#/explore\">{html.escape(words['browseAll'])}</a></p>"
            "</main></body></html>")


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;line-height:1.5;"
          "color:#1a1a1a}pre{background:#f4f4f4;padding:.75rem;overflow:auto}dt{font-weight:600}"
          "dd{margin:0 0 .5rem 0;word-break:break-all}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:.25rem .5rem}img{max-width:100%}"
          ".takedown{border-left:4px solid #a61b1b;background:#fdecec;color:#5c0f0f;padding:.5rem .75rem}"
          "#downloads a{display:inline-block;min-height:24px;line-height:24px}"
          "#card pre{white-space:pre-wrap;overflow-wrap:anywhere}")


def sitemap(origin: str, dataset_ids: Iterable[int]) -> str:
    """The sitemap (sitemaps.org 0.9) of the datasets' pages."""
    urls = "".join(f"<url><loc>{html.escape(f'{origin}/datasets/{i}')}</loc></url>" for i in dataset_ids)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
