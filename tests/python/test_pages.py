"""A dataset's home page (issue 38): the card is its README rendered safely, the page embeds its
Croissant JSON-LD so that nothing a publisher writes can close the script element, and the
sitemap lists the pages. Hostile READMEs, and a real one nobody here wrote (OpenZeppelin
Contracts' own, from npm)."""
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from opencommons.pages import CARD_TAGS, json_ld, readme_of, render_card, sitemap, snippets

BASE = "/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/"
OZ_README = Path(__file__).resolve().parents[2] / "node_modules" / "@openzeppelin" / "contracts" / "README.md"


class Elements(HTMLParser):
    """Every element and its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(markup)
    return parser.found


def assert_safe(markup: str, hosts=()) -> None:
    for tag, attrs in elements(markup):
        assert tag in CARD_TAGS, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            value = attrs.get(name)
            if value is None:
                continue
            host = re.match(r"https?://([^/:]+)", value)
            assert value.startswith(BASE) or (name == "href" and host and host.group(1) in hosts), (tag, value)


@pytest.mark.parametrize("markdown, shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
    ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
    ('<a href="https://evil.example" onclick="steal()">raw</a>', "&lt;a href="),
    ("<iframe src=https://evil.example></iframe>", "&lt;iframe"),
])
def test_raw_html_and_script_links_are_text(markdown, shown):
    card = render_card(markdown, BASE)
    assert shown in card
    assert_safe(card)


def test_links_stay_in_the_content_or_on_named_hosts():
    card = render_card("[a](data/rows.csv) [b](../../../api/config) [c](/ipfs/other/x) [d](//evil.example/y) "
                       "[e](https://evil.example/) [f](https://doi.org/10.1/x) [g](mailto:x@y.z) [h](data:text/html,x) "
                       "![i](img/p.png) ![j](https://doi.org/p.png) ![k](../p.png)", BASE, hosts=["doi.org"])
    links = [(tag, attrs.get("href") or attrs.get("src")) for tag, attrs in elements(card)]
    # data: is no link at all (shown as text); mailto: and every other host keep their text only
    assert links == [("p", None), ("a", BASE + "data/rows.csv"), ("a", None), ("a", None), ("a", None), ("a", None),
                     ("a", "https://doi.org/10.1/x"), ("a", None), ("img", BASE + "img/p.png"), ("img", None),
                     ("img", None)]
    assert "[h](data:text/html,x)" in card
    sneaky = render_card("[up](a/%2E%2e/%2e%2E/%2e%2e/api/config) [back](..\\..\\x)", BASE)
    hrefs = [attrs.get("href") for tag, attrs in elements(sneaky) if tag == "a"]
    assert hrefs[0] is None and hrefs[1].startswith(BASE)  # Markdown's escapes keep the second inside
    assert_safe(sneaky)
    assert all(attrs.get("rel") == "noopener noreferrer nofollow ugc" for tag, attrs in elements(card) if tag == "a")
    assert_safe(card, hosts=["doi.org"])


def test_tables_keep_their_alignment_and_nothing_else_of_style():
    card = render_card("| a | b |\n| --: | :-: |\n| 1 | 2 |", BASE)
    assert '<th style="text-align:right">a</th>' in card and '<td style="text-align:center">2</td>' in card


def test_a_real_readme_renders_and_keeps_only_what_is_safe():
    """OpenZeppelin Contracts' README: headings, code, lists and two dozen links to github.com,
    docs and the forum; its raw <img> header is shown as text."""
    markdown = OZ_README.read_text()
    card = render_card(markdown, BASE, hosts=["docs.openzeppelin.com"])
    found = elements(card)
    assert sum(tag == "h2" for tag, _ in found) >= 3 and any(tag == "pre" for tag, _ in found)
    kept = [attrs["href"] for tag, attrs in found if tag == "a" and attrs.get("href")]
    assert BASE + "SECURITY.md" in kept and "https://docs.openzeppelin.com/contracts" in kept  # its own files too
    assert all(h.startswith(("https://docs.openzeppelin.com/", BASE)) for h in kept)
    dropped = [attrs for tag, attrs in found if tag == "a" and not attrs.get("href")]
    assert len(dropped) >= 5  # github.com, the forum...: not named, shown as text
    assert '&lt;img src="logo.svg"' in card
    assert_safe(card, hosts=["docs.openzeppelin.com"])


def test_json_ld_cannot_close_its_script_element():
    document = {"name": "x</script><script>alert(1)</script>", "description": "<!-- & -->"}
    text = json_ld(document)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == document


def test_the_readme_is_found_among_the_top_level_files_and_snippets_name_the_dataset():
    manifest = {"files": [{"path": "docs/README.md"}, {"path": "penguins.csv"}, {"path": "Readme.md"}]}
    assert readme_of(manifest) == "Readme.md"
    assert readme_of({"files": [{"path": "docs/README.md"}]}) is None
    used = snippets(42, "bafyC", ["README.md", "tables/wine.parquet"])
    assert used[0]["code"].endswith('load_dataset("42", split="train")')
    assert used[1]["code"] == "commons dataset get 42 ./data"
    assert used[2]["code"].endswith('pd.read_parquet("oc://bafyC/tables/wine.parquet")')


def test_the_sitemap_lists_each_page_once_and_escapes_the_origin():
    xml = sitemap("https://data.example.org", [1, 2])
    assert xml.count("<loc>") == 2 and "<loc>https://data.example.org/datasets/2</loc>" in xml
    assert "&amp;" in sitemap("https://x.example/?a=1&b=2", [1])


def test_every_language_says_everything_english_says():
    from opencommons.pages import LANGUAGES, texts

    english = texts("en")
    for code in LANGUAGES:
        words = texts(code)
        assert set(words) == set(english), code
        assert all(isinstance(v, str) and v.strip() for v in words.values()), code
    assert texts("sw")["download"] == "Pakua" and texts("fr")["status.Accepted"] == "Accepté"
    for code in LANGUAGES:  # the same blanks to fill in every language
        for key, text in texts(code).items():
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", english[key])), (code, key)


def test_every_text_the_dapp_asks_for_is_in_the_locale_files():
    """The dApp's `t("key")`, `tn("key", n)` and `data-i18n="key"` (dapp/src, dapp/index.html),
    and the families it builds keys from (a dataset's status, a proposal's state...)."""
    from opencommons.index.reads import STATUS
    from opencommons.pages import texts

    english = texts("en")
    root = Path(__file__).resolve().parents[2] / "dapp"
    sources = [p.read_text("utf-8") for p in [root / "index.html", *sorted((root / "src").rglob("*.js"))]
               if p.name != "i18n.js"]  # the mechanism, whose comments show made-up keys
    asked = {k for s in sources for k in re.findall(r"\bt\(\"([\w.]+)\"", s) + re.findall(r'data-i18n(?:-\w+)?="([\w.]+)"', s)}
    counted = {k for s in sources for k in re.findall(r"\btn\(\"([\w.]+)\"", s)}
    assert len(asked) > 200 and len(counted) > 5
    assert sorted(k for k in asked if k not in english) == []
    assert sorted(k for k in counted if f"{k}.other" not in english or f"{k}.one" not in english) == []
    families = {"status": STATUS, "proposal": ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued",
                                              "Expired", "Executed"],
                "vote": ["For", "Against", "Abstain"], "vote.cast": ["For", "Against", "Abstain"],
                "page": ["Previous", "Next"], "fact": ["Id", "Status", "Licence", "Content", "Manifest", "Owner",
                                                      "Published"]}
    assert sorted(f"{f}.{v}" for f, values in families.items() for v in values if f"{f}.{v}" not in english) == []


@pytest.mark.parametrize("asked, accept, picked", [
    (None, "sw-KE,sw;q=0.9,en;q=0.8", "sw"), (None, "de-DE,fr;q=0.7,pt;q=0.9", "pt"), ("fr", "sw", "fr"),
    ("xx", None, "en"), (None, "de, ja;q=0.5", "en"), (None, "pt-BR;q=0, fr;q=0.1", "fr"), (None, "sw;q=bad,fr", "fr"),
])
def test_the_page_language_is_asked_for_or_the_browsers_best(asked, accept, picked):
    from opencommons.pages import pick_language

    assert pick_language(asked, accept) == picked


def test_a_hostile_manifest_lists_no_path_that_leaves_the_content():
    from opencommons.pages import card_view

    manifest = {"files": [{"path": "rows.csv"}, {"path": "../../api/config"}, {"path": "/etc/passwd"},
                          {"path": "a/./b"}, {"path": 7}], "croissant": "bafkreicroissant"}
    shown = card_view(None, {"id": "5", "content": "bafyC"}, manifest)
    assert [d["href"] for d in shown["downloads"]] == ["/ipfs/bafyC/rows.csv", "/ipfs/bafkreicroissant",
                                                       "/ipfs/bafyC?format=car"]
    assert shown["card"] is None and shown["snippets"][2]["code"].endswith('pd.read_csv("oc://bafyC/rows.csv")')
