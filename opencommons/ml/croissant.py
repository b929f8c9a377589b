"""MLCommons Croissant (JSON-LD) for a published dataset, built with `mlcroissant` itself.

Every file is a FileObject whose content URL is its own IPFS CID (self-verifying) and whose
`sameAs` is its path under the dataset's content CID, with its sha256. Each CSV, JSON Lines or
Parquet file gets a RecordSet whose fields and types pyarrow reads (from the file's first block
for CSV and JSON Lines, from the footer for Parquet: no file is read whole). The licence is its
SPDX URL, the creators are the contributors, `isBasedOn` names the parents.

The document is deterministic for the same files and fields (no clock is read: the date published
is the newest file's modification day), so a resumed publish computes the same manifest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import OpenCommonsError

#: what a file's extension says it holds, and the reader its record set needs
TABULAR = {".csv": "text/csv", ".jsonl": "application/jsonlines", ".ndjson": "application/jsonlines",
           ".parquet": "application/x-parquet"}
OTHER = {".json": "application/json", ".txt": "text/plain", ".md": "text/markdown", ".tsv": "text/tab-separated-values",
         ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".zip": "application/zip",
         ".gz": "application/gzip", ".bin": "application/octet-stream", ".safetensors": "application/octet-stream"}
#: where a dataset or file lives, as Croissant consumers see it
IPFS = "ipfs://"


class CroissantError(OpenCommonsError, ValueError):
    """A Croissant document that mlcroissant refuses, or a file whose schema cannot be read."""


@dataclass(frozen=True)
class FileEntry:
    """One file of the dataset as the importer saw it."""

    path: str
    size: int
    sha256: str
    cid: str


def encoding_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return TABULAR.get(suffix) or OTHER.get(suffix, "application/octet-stream")


def utf8_error(path: Path) -> str | None:
    """Where `path` stops being UTF-8 ("byte 0xe9 at offset 1,234"), or None when all of it is:
    read in 1 MiB pieces through an incremental decoder, never whole."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while True:
            piece = handle.read(1 << 20)
            pending = len(decoder.getstate()[0])  # an earlier piece's unfinished character, decoded first
            try:
                decoder.decode(piece, final=not piece)
            except UnicodeDecodeError as exc:
                return f"byte 0x{exc.object[exc.start]:02x} at offset {offset - pending + exc.start:,}"
            if not piece:
                return None
            offset += len(piece)


def mime_and_charset(encoding_format: Any) -> tuple[str, str | None]:
    """`text/csv; charset=windows-1252` as ("text/csv", "windows-1252"); no charset: UTF-8."""
    mime, _, params = str(encoding_format).partition(";")
    charset = next((v.strip() for k, _, v in (p.partition("=") for p in params.split(";"))
                    if k.strip().lower() == "charset" and v.strip()), None)
    return mime.strip(), charset


def licence_urls(expression: str, directory: Path | None = None, content: str | None = None) -> list[str]:
    """The licence's URLs for Croissant's `license`: each listed identifier's SPDX page, and for a
    community's own LicenseRef the text published beside the data (ipfs://CONTENT/FILE)."""
    from ..licensing import spdx

    urls = spdx.urls(expression)
    for identifier in spdx.custom_identifiers(expression):
        found = spdx.text_file(directory, identifier) if directory is not None else None
        if found and content:
            urls.append(f"{IPFS}{content}/{found}")
    return urls or [expression]


def _data_type(arrow_type: Any) -> Any:
    import mlcroissant as mlc
    import pyarrow as pa

    if pa.types.is_boolean(arrow_type):
        return mlc.DataType.BOOL
    if pa.types.is_integer(arrow_type):
        return mlc.DataType.INTEGER
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return mlc.DataType.FLOAT
    if pa.types.is_date(arrow_type):
        return mlc.DataType.DATE
    if pa.types.is_timestamp(arrow_type):
        return mlc.DataType.DATE_TIME
    return mlc.DataType.TEXT


def read_schema(path: Path, charset: str | None = None) -> Any:
    """The pyarrow schema of a CSV (in `charset`, UTF-8 by default), JSON Lines or Parquet file
    (refused in one line when it does not parse)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.json as pjson
    import pyarrow.parquet as pq

    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            schema = pq.read_schema(path)
        elif suffix == ".csv":
            with pcsv.open_csv(path, read_options=pcsv.ReadOptions(encoding=charset or "utf8")) as reader:
                schema = reader.schema
        else:
            with pjson.open_json(path) as reader:
                schema = reader.schema
        [f.name for f in schema]  # noqa: B018  names pyarrow decodes lazily: a non-UTF-8 header fails here
        return schema
    except (pa.ArrowInvalid, OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CroissantError(f"{path.name}: cannot read its columns ({first})") from None


def _ident(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-/]+", "_", text) or "_"


def build(directory: Path, files: list[FileEntry], *, name: str, description: str, license_id: str,
          content: str, contributors: list[str], parents: list[str], commons: str,
          tabular: bool = True, charsets: dict[str, str] | None = None, gateway: str | None = None,
          usage: str | None = None, version: int | None = None, succeeds: str | None = None) -> dict[str, Any]:
    """The Croissant JSON-LD of the dataset whose folder is `directory` and whose files are
    `files` (each with its CID and sha256); `tabular=False` (a private dataset's ciphertext)
    describes the files without reading them. `charsets` names the text files that are not
    UTF-8 and their encoding: their encodingFormat says it (`text/csv; charset=windows-1252`).
    With `gateway` (an HTTP gateway serving `/ipfs/CID`), each file's `contentUrl` is its URL
    there, which any Croissant reader (mlcroissant's own loader) can fetch and check against the
    sha256 beside it; the CID stays its identifier in `sameAs`."""
    charsets = charsets or {}
    import mlcroissant as mlc

    distribution: list[Any] = []
    record_sets: list[Any] = []
    taken: set[str] = set()
    for f in sorted(files, key=lambda e: e.path):
        schema, unread = None, None
        if tabular and Path(f.path).suffix.lower() in TABULAR:
            try:
                schema = read_schema(directory / f.path, charsets.get(f.path))
            except CroissantError as exc:
                unread = str(exc)  # published all the same: the file is described, not its rows
        url = f"{gateway.rstrip('/')}/ipfs/{f.cid}" if gateway else IPFS + f.cid
        same_as = [IPFS + f.cid] if gateway else []
        distribution.append(mlc.FileObject(
            id=f.path, name=f.path, content_url=url, same_as=[*same_as, f"{IPFS}{content}/{f.path}"],
            content_size=f"{f.size} B", sha256=f.sha256,
            encoding_formats=[encoding_of(f.path) + (f"; charset={charsets[f.path]}" if f.path in charsets else "")],
            description=f"No record set: {unread}" if unread else None))
        if schema is None:
            continue
        set_id = _ident("records/" + f.path.rsplit(".", 1)[0])
        while set_id in taken:
            set_id += "_"
        taken.add(set_id)
        fields = [mlc.Field(id=f"{set_id}/{_ident(column.name)}", name=column.name,
                            data_types=[_data_type(column.type)],
                            source=mlc.Source(file_object=f.path, extract=mlc.Extract(column=column.name)))
                  for column in schema]
        record_sets.append(mlc.RecordSet(id=set_id, name=set_id.removeprefix("records/"),
                                         description=f"The rows of {f.path}", fields=fields))
    newest = max(((directory / f.path).lstat().st_mtime for f in files), default=0.0)
    metadata = mlc.Metadata(
        name=name, description=(description or name) + (f" Version {version}, succeeding {succeeds}." if succeeds
                                                         else ""),
        license=licence_urls(license_id, directory, content), url=IPFS + content,
        version=f"{version or 1}.0.0", date_published=datetime.fromtimestamp(newest, timezone.utc).replace(
            hour=0, minute=0, second=0, microsecond=0, tzinfo=None),
        cite_as=f"{name}. OpenCommons dataset of the {commons} commons, {IPFS}{content}",
        creators=[mlc.Person(name=account, url=f"ethereum:{account}") for account in contributors],
        distribution=distribution, record_sets=record_sets)
    document: dict[str, Any] = metadata.to_json()
    if parents:
        document["isBasedOn"] = [f"opencommons:dataset:{p}" for p in parents]
    if usage:  # schema.org usageInfo: the licence terms document (an ODRL policy) published beside the data
        document["usageInfo"] = IPFS + usage
    return document


def with_languages(document: dict[str, Any], description: str, names: tuple[tuple[str, str], ...],
                   descriptions: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The document with its name in other languages (`alternateName`, language-tagged: Croissant
    keeps `name` a plain string) and its description in each (language-tagged values beside the
    untagged one), as JSON-LD allows."""
    out = dict(document)
    if names:
        out["alternateName"] = [{"@value": text, "@language": tag} for tag, text in names]
    if descriptions:
        out["description"] = [out.get("description") or description,
                              *({"@value": text, "@language": tag} for tag, text in descriptions)]
    return out


def validate(document: dict[str, Any], what: str = "the Croissant metadata") -> list[str]:
    """mlcroissant's warnings for `document`; its errors refused in one line."""
    import mlcroissant as mlc

    try:
        dataset = mlc.Dataset(jsonld=document)
    except mlc.ValidationError as exc:
        first = next((line.strip(" -") for line in str(exc).splitlines() if line.strip(" -") and "Found" not in line),
                     str(exc))
        raise CroissantError(f"{what} is not valid Croissant: {first}") from None
    return sorted(dataset.metadata.ctx.issues.warnings)


def load_file(path: Path) -> dict[str, Any]:
    """A hand-written Croissant file, parsed and validated (errors refused in one line)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CroissantError(f"no such Croissant file: {path}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CroissantError(f"{path} is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise CroissantError(f"{path} is not a JSON-LD object")
    validate(document, str(path))
    return document


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"
