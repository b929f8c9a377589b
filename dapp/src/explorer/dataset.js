// Explorer: one dataset's page from the index: its record, files (from the manifest), lineage
// graph, attestations, licence terms and sales, contributors and the royalties paid to it.
import { $, amountText, app, dateText, durationText, el, getJson, link, linkedDataset, send, shortAddress, table } from "../shared.js";
import { lineageGraph } from "./lineage-graph.js";
import { moneyChart } from "./charts.js";
import { language, t, tn } from "../i18n.js";
import { indexNote } from "./browse.js";
import { actionsPanel } from "./dataset-actions.js";

function facts(d) {
  const rows = [["Id", d.id], ["Status", t(`status.${d.status}`)], ["Licence", d.license], ["Content", d.content],
                ["Manifest", d.manifest], ["Owner", d.owner], ["Published", dateText(d.publishedAt)]];
  const facts = table("dataset-facts", ["", ""], rows, ([k, v], row) => {
    row.insertCell().textContent = t(`fact.${k}`);
    const value = row.insertCell();
    if (k === "Content") value.append(link(app.config.gateway + v, v, "content-link"));
    else if (k === "Owner") value.append(link(`#/contributor/${v}`, v));
    else value.textContent = v;
    value.className = k.toLowerCase();
  });
  for (const [label, id] of [["fact.previousVersion", d.previousVersion], ["fact.newerVersion", d.nextVersion]]) {
    if (!id) continue;
    const row = facts.tBodies[0].insertRow();
    row.insertCell().textContent = t(label);
    row.insertCell().append(link(`#/dataset/${id}`, id));
  }
  return facts;
}

// Consent, withdrawals and disputes (issue 36): a taken-down dataset says why, and its citation
// (this page, its CIDs, the dispute and its evidence) stays.
function rightsSection(d) {
  const r = d.rights ?? { consented: [], withdrawn: [], disputes: [] };
  const parts = [el("h3", { text: t("rights.heading") })];
  if (d.status === "Suspended") {
    const upheld = [...r.disputes].reverse().find((x) => x.stage.startsWith("upheld"));
    parts.push(el("p", { id: "dataset-taken-down", class: "takedown", role: "alert",
      text: upheld ? t("rights.takenDownBy", { id: upheld.id, reason: t(`reason.${upheld.reason}`) })
        : t("rights.takenDown") }));
  }
  parts.push(el("p", { id: "dataset-consent",
    text: t("rights.consent", { n: r.consented.length, total: d.contributors.length }) }));
  for (const w of r.withdrawn) {
    parts.push(el("p", { class: "withdrawn", text: t(w.files ? "rights.withdrewFiles" : "rights.withdrew",
      { who: shortAddress(w.account), date: dateText(w.at) }) }));
  }
  if (r.reissuedByGovernance) {
    parts.push(el("p", { id: "dataset-reissued", text: t("rights.reissuedByGovernance",
      { id: r.reissuedByGovernance.dataset }) }));
  }
  if (r.disputes.length) {
    parts.push(table("dataset-disputes", ["#", t("rights.reason"), t("rights.stage"), t("rights.evidence"),
                                          t("rights.answer")], r.disputes, (x, row) => {
      row.dataset.id = String(x.id);
      row.insertCell().textContent = String(x.id);
      row.insertCell().textContent = t(`reason.${x.reason}`);
      row.insertCell().textContent = x.forfeited ? t("rights.forfeited", { stage: x.stage }) : x.stage;
      row.insertCell().append(link(app.config.gateway + x.evidence, x.evidence, "evidence-link"));
      const answer = row.insertCell();
      if (x.answer) answer.append(link(app.config.gateway + x.answer, x.answer, "answer-link"));
      else answer.textContent = "—";
    }));
  }
  return parts;
}

async function licence(d) {
  const offered = d.licenseTerms.filter((t) => t.active);
  const items = await Promise.all(offered.map(async (o) => `${await amountText(o.token, BigInt(o.price))}, ${durationText(o.duration)}`));
  return el("p", { id: "dataset-licence", text: `${items.length ? items.join("; ") : t("licence.noOffer")}` +
    ` · ${tn("licence.sold", d.licencesSold)}` });
}

// What the licence permits, in the command line's words (the server reads and checks each terms
// document): this dataset's own, then every ancestor's, so a buyer sees the whole chain.
function termsBlock(terms, own) {
  const box = el("div", { class: own ? "terms own-terms" : "terms ancestor-terms", "data-id": terms.id });
  const head = own ? [] : [link(`#/dataset/${terms.id}`, t("dataset.short", { id: terms.id.slice(0, 10) }), "ancestor-link"), ": "];
  box.append(el("p", { class: "licence-expression" }, ...head, t("terms.licence", { licence: terms.licence }),
    ...terms.licenceUrls.flatMap((u, i) => [i ? ", " : "(", link(u, u.startsWith("ipfs://") ? t("terms.itsText") : t("terms.spdxPage")),
                                            i === terms.licenceUrls.length - 1 ? ")" : ""])));
  if (terms.terms) {
    box.append(el("ul", { class: "terms-summary" }, ...terms.terms.map((line) => el("li", { text: line }))));
    box.append(el("p", { class: "terms-document" }, t("terms.document"),
      link(app.config.gateway + terms.termsDocument, terms.termsDocument, "cid")));
  } else if (terms.unread) {
    box.append(el("p", { class: "terms-unread", text: t("terms.unread", { why: terms.unread }) }));
  } else {
    box.append(el("p", { class: "terms-none", text: t("terms.none") }));
  }
  return box;
}

async function licenceChain(id) {
  const [own, ...ancestors] = await getJson(`/api/licence/${encodeURIComponent(id)}`);
  const box = el("div", { id: "dataset-terms" }, termsBlock(own, true));
  if (ancestors.length) {
    box.append(el("h4", { text: t("terms.chain") }), ...ancestors.map((a) => termsBlock(a, false)));
  }
  return box;
}

async function royalties(d) {
  const tokens = Object.keys(d.royaltiesPaid);
  const paid = await Promise.all(tokens.map((t) => amountText(t, BigInt(d.royaltiesPaid[t]))));
  const section = [el("p", { id: "dataset-royalties", text: paid.length ? t("royalty.paidTotal", { amounts: paid.join(", ") })
    : t("royalty.none") })];
  for (const [token, points] of Object.entries(d.royaltySeries ?? {})) section.push(await moneyChart(token, points, "paid"));
  if (d.latestPayments.length) {
    const amounts = await Promise.all(d.latestPayments.map((p) => amountText(p.token, BigInt(p.amount))));
    section.push(table("dataset-payments", [t("col.block"), t("col.payer"), t("col.amount")], d.latestPayments, (p, row) => {
      row.insertCell().textContent = String(p.block);
      row.insertCell().append(link(`#/contributor/${p.payer}`, shortAddress(p.payer)));
      row.insertCell().textContent = amounts[d.latestPayments.indexOf(p)];
    }));
  }
  return section;
}

// The scorer's results behind the newest quality attestation: the metrics, and why the score is
// what it is (a near-copy's overlap with earlier datasets, rows that violate the schema...).
function qualityReport(q) {
  const metrics = Object.entries(q.metrics).filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(", ");
  const box = el("div", { id: "dataset-quality" },
    el("p", { text: t("quality.results", { score: q.score, metrics, validator: shortAddress(q.validator) }) },
       link(app.config.gateway + q.evidence, t("quality.evidence"), "cid")));
  const overlaps = Object.entries(q.overlaps);
  if (overlaps.length) {
    box.append(el("p", { class: "overlaps" }, t("quality.overlaps"),
      ...overlaps.flatMap(([other, share], i) => [i ? ", " : "", link(`#/dataset/${other}`, `${other.slice(0, 10)}…`, "overlap"),
                                                  ` ${(share * 100).toFixed(0)}%`])));
  }
  if (q.explanations.length) box.append(el("ul", { class: "explanations" }, ...q.explanations.map((t) => el("li", { text: t }))));
  return box;
}

// A model's training record: the datasets it learned from (the heaviest first) with their shares,
// its training pool and what its datasets pulled from it.
async function trainedOn(r) {
  const money = async (amounts) => (await Promise.all(Object.entries(amounts).filter(([, v]) => BigInt(v) > 0n)
    .map(([token, v]) => amountText(token, BigInt(v))))).join(", ") || t("money.nothing");
  const box = el("div", { id: "model-training" }, el("p", { class: "model-record", text:
    t(r.bound ? "model.record" : "model.recordUnbound", { datasets: tn("count.datasets", r.datasets), root: r.root.slice(0, 18),
                                                          pool: await money(r.pool), pulled: await money(r.pulled) }) }));
  box.append(table("model-datasets", [t("model.dataset"), t("model.shareRead")], r.heaviest, (h, row) => {
    row.insertCell().append(link(`#/dataset/${h.id}`, `${h.id.slice(0, 10)}…`, "trained-on-link"));
    row.insertCell().textContent = `${(h.share * 100).toFixed(2)}%`;
  }));
  if (r.datasets > r.heaviest.length) box.append(el("p", { text: t("model.more", { n: r.datasets - r.heaviest.length }) }));
  return box;
}

// The models trained on this dataset (their training logs name it, their roots are on-chain): its
// share of each, what it pulled and can pull; anyone connected may send the pull (the server gives
// the proof of its weight, which the vault checks: a wrong one reverts).
async function trainedInto(id, models) {
  if (!models.length) return el("p", { id: "dataset-models", text: t("model.none") });
  const rows = await Promise.all(models.map(async (m) => {
    if (m.unread) return [m, t("model.logUnread", { why: m.unread }), []];
    const money = async (amounts) => (await Promise.all(Object.entries(amounts).filter(([, v]) => BigInt(v) > 0n)
      .map(([token, v]) => amountText(token, BigInt(v))))).join(", ") || t("money.nothing");
    const share = Number((BigInt(m.weight) * 10000n) / BigInt(m.totalWeight)) / 100;
    const owed = Object.entries(m.pending).filter(([, v]) => BigInt(v) > 0n).map(([t]) => t);
    return [m, t("model.share", { share, pulled: await money(m.pulled), pending: await money(m.pending) }), owed];
  }));
  return table("dataset-models", [t("model.model"), t("col.share"), ""], rows, ([m, text, owed], row) => {
    row.dataset.model = m.model;
    row.insertCell().append(link(`#/dataset/${m.model}`, t("model.short", { id: m.model.slice(0, 10) }), "model-link"));
    row.insertCell().textContent = text;
    const cell = row.insertCell();
    if (owed.length && app.account) {
      const pull = el("button", { class: "pull-training", text: t("model.pull") });
      pull.onclick = () => send(t("model.pull"), () => app.contracts.RoyaltyVault.pullTrainingShare(
        BigInt(m.model), m.generation, BigInt(id), BigInt(m.weight), m.proof, owed));
      cell.append(pull);
    }
  });
}

// The tags a dataset's card keeps (as the server's sanitiser, opencommons/pages.py).
const CARD_TAGS = new Set(["a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
  "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
  "tr", "ul"]);

// The card's HTML, sanitised by the server, rebuilt here element by element from an inert parse
// (DOMParser runs nothing): only the card's tags, links into this server's /ipfs/ or to http(s)
// hosts, images from /ipfs/ only. A second wall: the page holds a wallet.
function safeFragment(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const copy = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return [document.createTextNode(node.textContent)];
    if (node.nodeType !== Node.ELEMENT_NODE) return [];
    const children = [...node.childNodes].flatMap(copy);
    const tag = node.tagName.toLowerCase();
    if (!CARD_TAGS.has(tag)) return children;
    const out = document.createElement(tag);
    for (const name of ["href", "src", "alt", "title"]) {
      const value = node.getAttribute(name);
      if (value === null) continue;
      if (name === "href" && !/^(\/ipfs\/|https?:\/\/)/.test(value)) continue;
      if (name === "src" && !value.startsWith("/ipfs/")) continue;
      out.setAttribute(name, value);
    }
    if (tag === "a") out.rel = "noopener noreferrer nofollow ugc";
    out.append(...children);
    return [out];
  };
  const fragment = document.createDocumentFragment();
  fragment.append(...[...parsed.body.childNodes].flatMap(copy));
  return fragment;
}

// The dataset's card (its README), downloads and "use it" snippets, with the link to its page.
function cardSection(c) {
  const box = el("section", { id: "dataset-card", "aria-label": t("card") });
  box.append(c.card ? safeFragment(c.card) : el("p", { text: t("noReadme") }));
  const downloads = el("ul", { id: "dataset-downloads" });
  for (const d of c.downloads) downloads.append(el("li", {}, link(d.href, d.label, "download-link")));
  const parts = [box, el("h3", { text: t("download") }), downloads];
  if (c.snippets.length) {
    parts.push(el("h3", { text: t("use") }));
    for (const s of c.snippets) {
      parts.push(el("h4", { text: s.label }), el("pre", { class: "snippet", tabindex: "0" }, el("code", { text: s.code })));
    }
  }
  parts.push(el("p", {}, link(c.page, t("card.page"), "dataset-page-link")));
  return parts;
}

// A numeric column's histogram as a small bar chart (its counts in the title, for screen readers).
function histogram(h) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  const most = Math.max(1, ...h.counts);
  svg.setAttribute("viewBox", `0 0 ${h.counts.length * 8} 32`);
  svg.setAttribute("class", "histogram");
  svg.setAttribute("role", "img");
  const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
  title.textContent = t("viewer.histogram", { from: h.edges[0], to: h.edges[h.edges.length - 1], counts: h.counts.join(", ") });
  svg.append(title);
  h.counts.forEach((count, i) => {
    const bar = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    const height = Math.max(count ? 1 : 0, Math.round((count / most) * 32));
    for (const [k, v] of Object.entries({ x: i * 8, y: 32 - height, width: 7, height })) bar.setAttribute(k, String(v));
    svg.append(bar);
  });
  return svg;
}

// The record sets' rows, ten at a time and searchable, and what each column holds; read by the
// server from the content it verified against the chain. Loads after the page is ready.
function viewer(id) {
  const box = el("section", { id: "dataset-viewer", "aria-label": t("viewer.title") });
  const state = { set: null, offset: 0, q: "" };
  const picker = el("select", { id: "viewer-set", "aria-label": t("viewer.recordSet") });
  const search = el("input", { id: "viewer-search", type: "search", placeholder: t("viewer.search"),
                               "aria-label": t("viewer.search") });
  const prev = el("button", { id: "viewer-prev", text: t("page.Previous") });
  const next = el("button", { id: "viewer-next", text: t("page.Next") });
  const showing = el("span", { id: "viewer-showing" });
  const rows = el("div", { id: "viewer-rows", tabindex: "0", role: "region", "aria-label": t("viewer.rows") });
  const columns = el("div", { id: "viewer-columns" });
  const fail = (e) => { box.replaceChildren(el("p", { class: "note", text: t("viewer.none", { why: e.message }) })); box.dataset.ready = "error"; };
  const load = async (withColumns) => {
    box.dataset.ready = "";
    const qs = new URLSearchParams({ offset: String(state.offset), limit: "10", q: state.q });
    if (state.set) qs.set("set", state.set);
    const page = await getJson(`/api/preview/${encodeURIComponent(id)}/rows?${qs}`);
    if (!picker.options.length) for (const name of page.recordSets) picker.append(el("option", { value: name, text: name }));
    state.set = picker.value = page.recordSet;
    rows.replaceChildren(table("viewer-table", page.columns, page.rows, (r, row) => {
      for (const v of r) row.insertCell().textContent = v === null ? "" : String(v);
    }));
    const last = page.offset + page.rows.length;
    showing.textContent = ` ${page.matched ? t("viewer.showing", { from: page.offset + 1, to: last, of: page.matched })
      + (page.matched < page.total ? t("viewer.matching", { total: page.total }) : "") : t("viewer.noMatch")} `;
    prev.disabled = page.offset === 0;
    next.disabled = last >= page.matched;
    if (withColumns) {
      const c = await getJson(`/api/preview/${encodeURIComponent(id)}/columns?set=${encodeURIComponent(state.set)}`);
      columns.replaceChildren(table("viewer-stats", ["column", "type", "missing", "distinct", "values"].map((k) => t(`viewer.${k}`)),
        c.columns, (col, row) => {
        row.dataset.column = col.name;
        row.insertCell().textContent = col.name;
        row.insertCell().textContent = col.type;
        row.insertCell().textContent = `${Math.round(col.missing * 1000) / 10}%`;
        row.insertCell().textContent = String(col.distinct);
        const values = row.insertCell();
        if (col.histogram) values.append(histogram(col.histogram));
        else values.textContent = col.top.map(([v, n]) => `${v} (${n})`).join(", ");
      }));
    }
    box.dataset.ready = "rows";
  };
  picker.onchange = () => { state.set = picker.value; state.offset = 0; load(true).catch(fail); };
  let typing;
  search.oninput = () => { clearTimeout(typing); typing = setTimeout(() => { state.q = search.value; state.offset = 0; load(false).catch(fail); }, 250); };
  prev.onclick = () => { state.offset = Math.max(0, state.offset - 10); load(false).catch(fail); };
  next.onclick = () => { state.offset += 10; load(false).catch(fail); };
  box.append(el("p", {}, picker, " ", search), rows, el("p", { id: "viewer-pager" }, prev, showing, next),
             el("h4", { text: t("viewer.columns") }), columns);
  return { box, start: () => load(true).catch(fail) };
}

// [tag, text] of the first of the reader's languages (the one picked here, then the browser's)
// `texts` (tag -> text) has, else null.
function inReadersLanguage(texts) {
  const base = (tag) => tag.toLowerCase().split("-")[0];
  for (const wanted of [language, ...(navigator.languages ?? [navigator.language])]) {
    const found = Object.entries(texts ?? {}).find(([tag]) => base(tag) === base(wanted));
    if (found) return found;
  }
  return null;
}

export async function renderDataset(idOrLink) {
  const id = linkedDataset(idOrLink) ?? idOrLink;
  const page = $("explorer-page");
  // the reads that need only the dataset's id: asked for with the record itself when the page's
  // address names the id (a CID or a link is resolved by the record first)
  const reads = (key) => Promise.all([getJson(`/api/card/${encodeURIComponent(key)}`).catch((e) => ({ error: e.message })),
    getJson(`/api/trained/${encodeURIComponent(key)}`), getJson(`/api/training/${encodeURIComponent(key)}`), licenceChain(key)]);
  const early = /^\d+$/.test(id) ? reads(id) : null;
  early?.catch(() => {});  // a dataset that does not exist fails below, with the record's one line
  const [d, graph, state] = await Promise.all([getJson(`/api/explorer/datasets/${encodeURIComponent(id)}`),
    getJson(`/api/explorer/datasets/${encodeURIComponent(id)}/lineage`), getJson("/api/explorer/status")]);
  // every other read of the page at once (each is a round trip to the server)
  const [[card, models, record, terms], offered, paid, actions] = await Promise.all([
    early && String(d.id) === id ? early : reads(d.id), licence(d), royalties(d), actionsPanel(d)]);
  // the name and description in the reader's language when the publisher gave them in it
  const [nameLang, name] = inReadersLanguage(card.names) ?? [null, d.name];
  const [descriptionLang, description] = inReadersLanguage(card.descriptions) ?? [null, d.description];
  const parts = [el("p", {}, link("#/explore", t("browse.back"))),
                 el("h2", { id: "dataset-name", text: name || t("dataset.named", { id: d.id }), ...(nameLang ? { lang: nameLang } : {}) }),
                 indexNote(state)];
  if (description) parts.push(el("p", { id: "dataset-description", text: description, ...(descriptionLang ? { lang: descriptionLang } : {}) }));
  if (card.error) parts.push(el("p", { class: "note", text: t("card.notShown", { why: card.error }) }));
  else parts.push(...cardSection(card));
  const look = viewer(d.id);
  parts.push(el("h3", { text: t("viewer.heading") }), look.box);
  parts.push(facts(d));
  parts.push(...rightsSection(d));
  parts.push(el("h3", { text: t("dataset.files") }));
  parts.push(d.files ? table("dataset-files", [t("col.path"), t("col.size"), "CID", "SHA-256"], d.files, (f, row) => {
    row.insertCell().append(link(`${app.config.gateway}${d.content}/${f.path.split("/").map(encodeURIComponent).join("/")}`,
                                 f.path, "file-link"));
    row.insertCell().textContent = String(f.size);
    row.insertCell().append(el("span", { class: "cid", text: f.cid }));
    row.insertCell().append(el("span", { class: "cid", text: f.sha256 }));
  }) : el("p", { text: t("dataset.noManifest") }));
  parts.push(el("h3", { text: t("contributors") }));
  parts.push(table("dataset-contributors", [t("col.contributor"), t("col.share"), t("col.account")], d.contributors, (c, row) => {
    row.dataset.account = c.account;
    row.insertCell().append(link(`#/contributor/${c.account}`, c.name || shortAddress(c.account), "contributor-link"));
    row.insertCell().textContent = `${c.shareBps / 100}%`;
    row.insertCell().append(el("span", { class: "cid", text: c.account }));
  }));
  parts.push(el("h3", { text: t("dataset.lineage") }));
  // the models trained on it join its graph (their training records name it; each is a dataset too)
  for (const m of models.filter((m) => !m.unread && !graph.nodes.some((n) => n.id === m.model))) {
    graph.nodes.push({ id: m.model, name: null, license: null, status: "model" });
    graph.edges.push({ parent: d.id, child: m.model, kind: "trained" });
  }
  parts.push(graph.edges.length ? lineageGraph(graph) : el("p", { id: "lineage-none", text: t("dataset.noLineage") }));
  if (graph.edges.some((e) => e.kind)) {
    parts.push(el("p", { class: "legend", text: t("dataset.legend") }));
  }
  parts.push(el("h3", { text: t("col.attestations") }));
  const medians = Object.entries(d.medianScore).map(([k, v]) => `${k.startsWith("0x") ? k.slice(0, 10) + "…" : k}: ${v / 100}%`);
  if (medians.length) parts.push(el("p", { id: "dataset-median", text: t("quality.median", { scores: medians.join(", ") }) }));
  parts.push(d.attestations.length ? table("dataset-attestations",
    [...["validator", "kind", "score", "evidence", "when"].map((k) => t(`attestation.${k}`)), ""],
    d.attestations, (a, row) => {
      row.insertCell().append(link(`#/contributor/${a.validator}`, shortAddress(a.validator)));
      row.insertCell().textContent = a.kindName || `${a.kind.slice(0, 10)}…`;
      row.insertCell().textContent = `${a.score / 100}%`;
      const evidence = row.insertCell();
      if (a.evidence) evidence.append(link(app.config.gateway + a.evidence, a.evidence, "cid"));
      row.insertCell().textContent = dateText(a.createdAt);
      row.insertCell().textContent = a.revoked ? t("attestation.revoked") : "";
      if (a.revoked) row.className = "revoked";
    }) : el("p", { text: t("attestation.none") }));
  if (d.quality) parts.push(qualityReport(d.quality));
  parts.push(el("h3", { text: t("licence") }), offered, terms);
  parts.push(el("h3", { text: t("royalty.title") }), ...paid);
  if (record) parts.push(el("h3", { text: t("model.trainedOn") }), await trainedOn(record));
  parts.push(el("h3", { text: t("model.trainedInto") }), await trainedInto(d.id, models));
  parts.push(...actions);
  page.replaceChildren(...parts);
  page.dataset.ready = "dataset";
  look.start();
}
