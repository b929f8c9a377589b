"""How OpenCommons names things to people: one place for what the command line, the dApp server
and the SDK show (the rest of issue 31's presentation layer grows here). Pure formatting: it reads
nothing (`queries.format_amount` reads a token's decimals and symbol, then formats here)."""

from __future__ import annotations

from typing import Any

#: chains people know by name (anything else is "chain N")
CHAIN_NAMES = {
    1: "Ethereum", 10: "OP Mainnet", 137: "Polygon", 8453: "Base", 42161: "Arbitrum One",
    11155111: "Sepolia", 17000: "Holesky", 1337: "Ganache (local)", 31337: "Anvil (local)",
}


def chain_name(chain_id: int) -> str:
    """`Sepolia (chain 11155111)`, or `chain N` for a chain without a known name."""
    name = CHAIN_NAMES.get(int(chain_id))
    return f"{name} (chain {chain_id})" if name else f"chain {chain_id}"


#: a dataset's status as DatasetNFT numbers it (IDatasetNFT.Status); Suspended is a tombstone
#: (a dispute upheld against it: see IDatasetRights)
DATASET_STATUS = ("None", "Proposed", "Accepted", "Rejected", "Retired", "Suspended")

#: where a dispute stands, as DatasetRights numbers it (IDatasetRights.Stage)
DISPUTE_STAGE = ("none", "raised", "upheld", "rejected", "appealed", "upheld (final)", "rejected (final)", "lapsed")

#: why a dataset is disputed (IDatasetRights.Reason), as the command line spells it
DISPUTE_REASONS = ("personal-data", "copyright", "cultural-protocol", "unlawful-content", "improper-registration")


#: LicenseManager's expiry of a perpetual licence
PERPETUAL = (1 << 64) - 1


def amount_text(value: int, decimals: int, unit: str) -> str:
    """An amount of smallest units in whole units with its symbol: `0.5 ETH`, `12.5 USDC`."""
    from decimal import Decimal

    text = format(Decimal(int(value)) / (Decimal(10) ** decimals), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}"


def duration(seconds: int) -> str:
    """A licence's length in words: `perpetual`, `30 days`, `1 day`, `6 hours`."""
    seconds = int(seconds)
    if seconds == 0:
        return "perpetual"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds / size
            shown = f"{count:g}" if count == int(count) else f"{count:.1f}"
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def when(timestamp: int) -> str:
    """A moment as `2026-12-06 10:02 UTC`."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def expiry(expires_at: int, valid: bool = True) -> str:
    """A licence's end: `never expires (perpetual)`, `valid until ...`, `expired ...`, `no licence held`."""
    if int(expires_at) == PERPETUAL:
        return "never expires (perpetual)"
    if int(expires_at) == 0:
        return "no licence held"
    return f"{'valid until' if valid else 'expired'} {when(expires_at)}"


def proposal_lines(view: dict[str, Any]) -> list[str]:
    """A proposal as `commons gov status` prints it: tallies in the commons' token, blocks, what next
    (the raw figures are in --json)."""
    quorum = view.get("quorumTokens")
    lines = [f"proposal   {view['id']}", f"state      {view['state']}",
             f"for        {view['forTokens']}", f"against    {view['againstTokens']}",
             f"abstain    {view['abstainTokens']}",
             f"quorum     {quorum if quorum is not None else 'known once voting opens (at its snapshot)'}",
             f"voting     blocks {view['snapshot'] + 1} to {view['deadline']} (now {view['block']})"]
    if view.get("needs"):
        lines.append(f"needs      {HOUSE_NEEDS.get(view['needs'], view['needs'])} (the charter)")
    for row in view.get("houses") or []:
        quorum = row["quorumText"] if row["quorumText"] is not None else "at its snapshot"
        lines.append(f"{row['house'] + ' house':10s} {row['state']}: for {row['forText']}, against "
                     f"{row['againstText']}, abstain {row['abstainText']}, quorum {quorum}")
    if view.get("eta"):
        lines.append(f"timelock   until {when(view['eta'])}")
    if view.get("cancelReason"):
        lines.append(f"cancelled  by the guardian {view['cancelledBy']}: {view['cancelReason']}")
    if view.get("next"):
        lines.append(f"next       {view['next']}")
    return lines


HOUSE_NEEDS = {"either": "either house", "token": "the token house", "contributors": "the contributors' house",
               "both": "both houses", "super": "a super-quorum of both houses"}


def charter_lines(view: dict[str, Any]) -> list[str]:
    """The charter as `commons gov charter` prints it."""
    caps = view["caps"]
    rows = [("document", f"ipfs://{view['cid']}")]
    rows += [(f"{name}", HOUSE_NEEDS.get(house, house)) for name, house in view["rules"].items()]
    rows += [("super-quorum", f"{view['superQuorumBps'] / 100:g}% of each house in favour"),
             ("highest fee", f"{caps['maxFeeBps']} bps"),
             ("spending", f"at most {caps['ethPerPeriodText']} and {caps['tokensPerPeriodText']} per "
                          f"{duration(caps['periodSeconds'])}"),
             ("burn/forfeit", f"waits {caps['waitBlocks']} blocks after its vote"),
             ("members", f"{view['house']['members']} verified contributor(s) vote in the contributors' house")]
    return fact_lines(rows)


def short_id(number: int) -> str:
    """A dataset id as people compare it: `0x98c421c0...daeb` (the full id is in --json)."""
    text = f"{int(number):064x}"
    return f"0x{text[:8]}...{text[-4:]}"


def short_address(address: str) -> str:
    """`0x34F7...3b98`."""
    return f"{address[:6]}...{address[-4:]}"


def fact_lines(rows: list[tuple[str, str]]) -> list[str]:
    """Label-value lines, the labels in one column."""
    width = max((len(label) for label, _ in rows), default=0) + 2
    return [f"{label:{width}s}{value}" for label, value in rows]


def commons_text(code: str | None, commons_hash: str) -> str:
    """A dataset's or contributor's commons: its code, else the hash the chain records, said so."""
    if code:
        return code
    if not commons_hash or int(commons_hash, 16) == 0:
        return "none"
    return f"{commons_hash[:10]}... (its code is in the manifest or profile, not at hand here)"


def share_text(parts: list[tuple[str, int]]) -> str:
    """`Amina 50%, 0x2762...E73d 30%` from (name or address, basis points), largest share first."""
    return ", ".join(f"{who} {bps / 100:g}%" for who, bps in sorted(parts, key=lambda part: -part[1]))


def dataset_lines(view: dict[str, Any]) -> list[str]:
    """`commons dataset show` in words: what a reader wants first, the identifiers last (the raw
    record, epoch seconds and commons hash included, is in --json)."""
    named = view.get("contributorNames") or [(short_address(c["account"]), int(c["shareBps"]))
                                             for c in view["contributors"]]
    parents = [short_id(int(p)) for p in view.get("parents", [])]
    rows = [("dataset", f"{view['name']} ({short_id(int(view['id']))})" if view.get("name")
             else short_id(int(view["id"]))),
            ("status", str(view["status"])),
            ("commons", commons_text(view.get("commonsCode"), str(view.get("commons", "")))),
            ("licence", f"{view['license']} ({view['licenceUrls']})" if view.get("licenceUrls")
             else str(view["license"]))]
    if view.get("terms"):
        rows.append(("terms", str(view["terms"])))
    elif view.get("termsDocument") is None:
        rows.append(("terms", "no terms document: the licence alone says what may be done"))
    rows += [("published", f"{when(int(view['publishedAt']))} by {view['owner']}"),
             ("contributors", share_text(named))]
    if parents:
        rows.append(("derived from", f"{', '.join(parents)} ({int(view['ancestorBps']) / 100:g}% of every payment "
                                     "goes to them)"))
    versions = [f"previous {short_id(int(view['previousVersion']))}" if view.get("previousVersion") else "",
                f"newer {short_id(int(view['nextVersion']))}" if view.get("nextVersion") else ""]
    if any(versions):
        rows.append(("versions", ", ".join(v for v in versions if v)))
    rows += rights_rows(view.get("rights") or {})
    rows += [("content", str(view["content"])), ("manifest", str(view["manifest"]))]
    if view.get("croissant"):
        rows.append(("croissant", str(view["croissant"])))
    if view.get("termsDocument"):
        same = view.get("termsPublished") == view["termsDocument"]
        rows.append(("terms document", f"{view['termsDocument']}{' (published with it)' if same else ''}"))
    rows += [("link", str(view["link"])), ("id", str(view["id"]))]
    return fact_lines(rows)


def rights_rows(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """A dataset's rights (see `opencommons.rights.facts`) as label-value rows: who consented,
    who withdrew, its dispute, its takedown."""
    if not facts:
        return []
    rows = []
    if facts.get("takenDown"):
        rows.append(("TAKEN DOWN", str(facts["takenDown"])))
    consented, waiting = facts.get("consented", []), facts.get("notConsented", [])
    rows.append(("consent", f"{len(consented)} of {len(consented) + len(waiting) + len(facts.get('withdrawn', []))}"
                            " contributors consented"
                 + (f"; not yet: {', '.join(short_address(a) for a in waiting)}" if waiting else "")
                 + ("; their shares are held until they do" if waiting and facts.get("consentRequired") else "")))
    for w in facts.get("withdrawn", []):
        what = f"the files listed in {w['files']}" if w.get("files") else "their whole contribution"
        rows.append(("withdrawn", f"{short_address(w['account'])} withdrew {what} on {when(int(w['at']))}"))
    if facts.get("moveDueAt"):
        rows.append(("reissued", f"licensees move to the newest version by {when(int(facts['moveDueAt']))} "
                                 "(`commons license move`)"))
    elif facts.get("reissueDueAt"):
        rows.append(("to reissue", f"by its owner until {when(int(facts['reissueDueAt']))}, by governance after"))
    if facts.get("erasureRequestedAt"):
        rows.append(("ERASED", f"its data keys were destroyed at its gateways (requested "
                               f"{when(int(facts['erasureRequestedAt']))})"))
    d = facts.get("dispute")
    if d and not facts.get("takenDown"):
        rows.append(("dispute", f"{d['id']} ({d['reason']}) {d['stage']}, raised {when(int(d['raisedAt']))}"))
    return rows


def rights_lines(facts: dict[str, Any]) -> list[str]:
    """`commons consent show` in words."""
    rows = rights_rows(facts)
    return fact_lines(rows) if rows else ["this commons records no consents or disputes (no DatasetRights)"]


def dispute_lines(d: dict[str, Any], amount: Any) -> list[str]:
    """`commons dispute show` in words; `amount(wei)` formats a bond."""
    rows = [("dispute", str(d["id"])), ("dataset", short_id(int(d["dataset"]))), ("reason", str(d["reason"])),
            ("stage", str(d["stage"])), ("raised", f"{when(int(d['raisedAt']))} by {d['raiser']}"),
            ("publisher", str(d["publisher"])), ("evidence", str(d["evidence"] or "none")),
            ("answer", str(d["answer"] or "none yet")), ("bond", amount(int(d["bond"])))]
    if d.get("appellant"):
        rows.append(("appeal", f"by {d['appellant']}, bond {amount(int(d['appealBond']))}"))
    if d["stage"] not in ("raised",):
        rows.append(("last decision", when(int(d["decidedAt"]))))
    return fact_lines(rows)


def contributor_lines(view: dict[str, Any]) -> list[str]:
    """`commons contributor show` in words (--json has the raw record)."""
    state = "registered" if view["registered"] else "not registered (or deactivated)"
    if view["registered"] and view.get("registeredAt"):
        state += f" since {when(int(view['registeredAt']))}"
    rows = [("contributor", f"{view['name']} ({view['account']})" if view.get("name") else view["account"]),
            ("status", state),
            ("commons", commons_text(view.get("communityCode"), str(view.get("community") or "")))]
    if view.get("profile"):
        rows.append(("profile", str(view["profile"])))
    if view.get("claim") is not None:
        rows.append(("claim", f"{view['claim']}: {'verified' if view.get('verified') else 'not verified'}"))
    return fact_lines(rows)


def stats_lines(stats: dict[str, Any], amount: Any) -> list[str]:
    """`commons stats` in words; `amount(value, token)` formats money in the token's units."""
    by_status = ", ".join(f"{status} {count}" for status, count in stats["byStatus"].items())

    def money(totals: dict[str, Any]) -> str:
        return ", ".join(amount(int(v), t) for t, v in totals.items()) or "nothing yet"

    return fact_lines([("datasets", f"{stats['datasets']}" + (f" ({by_status})" if by_status else "")),
                       ("contributors", str(stats["contributors"])), ("payments", str(stats["payments"])),
                       ("licences sold", str(stats["licences"])), ("proposals", str(stats["proposals"])),
                       ("paid in", money(stats["paid"])), ("claimed", money(stats["claimed"]))])


def dataset_rows(rows: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    """`commons dataset list` in words: one line per dataset, its short id, name (when its manifest
    is at hand), licence, status, publisher and the version it succeeds (full ids in --json)."""
    shown = [(short_id(int(r["id"])), names.get(r["id"], "(name not at hand)"), str(r["license"]), str(r["status"]),
              f"by {short_address(str(r['publisher']))}"
              + (f", new version of {short_id(int(r['previousVersion']))}" if r.get("previousVersion") else ""))
             for r in rows]
    widths = [max(len(row[i]) for row in shown) for i in range(4)]
    return ["  " + "  ".join(f"{cell:{widths[i]}s}" for i, cell in enumerate(row[:4])) + "  " + row[4]
            for row in shown]
