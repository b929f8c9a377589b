// Explorer: one dataset's page from the index: its record, files (from the manifest), lineage
// graph, attestations, licence terms and sales, contributors and the royalties paid to it.
import { $, amountText, app, dateText, el, getJson, link, linkedDataset, send, shortAddress, table } from "../shared.js";
import { lineageGraph } from "./lineage-graph.js";
import { indexNote } from "./browse.js";
import { actionsPanel } from "./dataset-actions.js";

function facts(d) {
  const rows = [["Id", d.id], ["Status", d.status], ["Licence", d.license], ["Content", d.content],
                ["Manifest", d.manifest], ["Owner", d.owner], ["Published", dateText(d.publishedAt)]];
  const t = table("dataset-facts", ["", ""], rows, ([k, v], row) => {
    row.insertCell().textContent = k;
    const value = row.insertCell();
    if (k === "Content") value.append(link(app.config.gateway + v, v, "content-link"));
    else if (k === "Owner") value.append(link(`#/contributor/${v}`, v));
    else value.textContent = v;
    value.className = k.toLowerCase();
  });
  for (const [label, id] of [["Previous version", d.previousVersion], ["Newer version", d.nextVersion]]) {
    if (!id) continue;
    const row = t.tBodies[0].insertRow();
    row.insertCell().textContent = label;
    row.insertCell().append(link(`#/dataset/${id}`, id));
  }
  return t;
}

async function licence(d) {
  const offered = d.licenseTerms.filter((t) => t.active);
  const items = await Promise.all(offered.map(async (t) =>
    `${await amountText(t.token, BigInt(t.price))}, ${t.duration === 0 ? "perpetual" : `${t.duration / 86400} days`}`));
  return el("p", { id: "dataset-licence", text: `${items.length ? items.join("; ") : "No licence on offer"}` +
    ` · ${d.licencesSold} licence${d.licencesSold === 1 ? "" : "s"} sold` });
}

// What the licence permits, in the command line's words (the server reads and checks each terms
// document): this dataset's own, then every ancestor's, so a buyer sees the whole chain.
function termsBlock(t, own) {
  const box = el("div", { class: own ? "terms own-terms" : "terms ancestor-terms", "data-id": t.id });
  const head = own ? [] : [link(`#/dataset/${t.id}`, `Dataset ${t.id.slice(0, 10)}…`, "ancestor-link"), ": "];
  box.append(el("p", { class: "licence-expression" }, ...head, `Licence ${t.licence} `,
    ...t.licenceUrls.flatMap((u, i) => [i ? ", " : "(", link(u, u.startsWith("ipfs://") ? "its text" : "SPDX page"),
                                        i === t.licenceUrls.length - 1 ? ")" : ""])));
  if (t.terms) {
    box.append(el("ul", { class: "terms-summary" }, ...t.terms.map((line) => el("li", { text: line }))));
    box.append(el("p", { class: "terms-document" }, "Terms document: ",
      link(app.config.gateway + t.termsDocument, t.termsDocument, "cid")));
  } else if (t.unread) {
    box.append(el("p", { class: "terms-unread", text: `Its terms document could not be read here: ${t.unread}` }));
  } else {
    box.append(el("p", { class: "terms-none", text: "No terms document: the licence alone says what may be done." }));
  }
  return box;
}

async function licenceChain(id) {
  const [own, ...ancestors] = await getJson(`/api/licence/${encodeURIComponent(id)}`);
  const box = el("div", { id: "dataset-terms" }, termsBlock(own, true));
  if (ancestors.length) {
    box.append(el("h4", { text: "Licence chain: what its ancestors permit" }), ...ancestors.map((a) => termsBlock(a, false)));
  }
  return box;
}

// What a dataset was paid so far in one token, as a line over the blocks (an accessible image:
// its summary is its label, the points are in its title).
async function royaltyChart(token, points) {
  const ns = "http://www.w3.org/2000/svg";
  const W = 320, H = 120, PAD = 4;
  const first = points[0][0], last = points[points.length - 1][0];
  const most = points.reduce((m, [, v]) => (BigInt(v) > m ? BigInt(v) : m), 1n);
  const x = (b) => PAD + (last === first ? W - 2 * PAD : ((b - first) / (last - first)) * (W - 2 * PAD));
  const y = (v) => H - PAD - Number((BigInt(v) * 1000n) / most) / 1000 * (H - 2 * PAD);
  let path = `M${x(first)},${H - PAD}`;
  for (const [b, v] of points) path += ` L${x(b)},${y(v)}`;
  const total = await amountText(token, BigInt(points[points.length - 1][1]));
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of Object.entries({ viewBox: `0 0 ${W} ${H}`, class: "royalty-chart", role: "img", "data-token": token,
    "aria-label": `${total} paid from block ${first} to block ${last}` })) svg.setAttribute(k, v);
  const title = document.createElementNS(ns, "title");
  title.textContent = `${total} by block ${last} (${points.length} points)`;
  const line = document.createElementNS(ns, "path");
  line.setAttribute("d", path);
  svg.append(title, line);
  return el("figure", { class: "royalty-figure" }, svg,
            el("figcaption", { text: `${total} paid in all, blocks ${first} to ${last}` }));
}

async function royalties(d) {
  const tokens = Object.keys(d.royaltiesPaid);
  const paid = await Promise.all(tokens.map((t) => amountText(t, BigInt(d.royaltiesPaid[t]))));
  const section = [el("p", { id: "dataset-royalties", text: paid.length ? `Paid in total: ${paid.join(", ")}` : "No royalties paid yet" })];
  for (const [token, points] of Object.entries(d.royaltySeries ?? {})) section.push(await royaltyChart(token, points));
  if (d.latestPayments.length) {
    const amounts = await Promise.all(d.latestPayments.map((p) => amountText(p.token, BigInt(p.amount))));
    section.push(table("dataset-payments", ["Block", "Payer", "Amount"], d.latestPayments, (p, row) => {
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
    el("p", { text: `Scorer results: ${q.score} / 10000 (${metrics}), attested by ${shortAddress(q.validator)} ` },
       link(app.config.gateway + q.evidence, "evidence", "cid")));
  const overlaps = Object.entries(q.overlaps);
  if (overlaps.length) {
    box.append(el("p", { class: "overlaps" }, "Overlaps earlier datasets: ",
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
    .map(([t, v]) => amountText(t, BigInt(v))))).join(", ") || "nothing";
  const box = el("div", { id: "model-training" }, el("p", { class: "model-record", text:
    `${r.datasets} dataset${r.datasets === 1 ? "" : "s"}, Merkle root ${r.root.slice(0, 18)}…` +
    (r.bound ? " (bound on-chain)" : " (not bound on-chain yet)") +
    ` · pool ${await money(r.pool)} · pulled ${await money(r.pulled)}` }));
  box.append(table("model-datasets", ["Dataset", "Share of the data read"], r.heaviest, (h, row) => {
    row.insertCell().append(link(`#/dataset/${h.id}`, `${h.id.slice(0, 10)}…`, "trained-on-link"));
    row.insertCell().textContent = `${(h.share * 100).toFixed(2)}%`;
  }));
  if (r.datasets > r.heaviest.length) box.append(el("p", { text: `… and ${r.datasets - r.heaviest.length} more.` }));
  return box;
}

// The models trained on this dataset (their training logs name it, their roots are on-chain): its
// share of each, what it pulled and can pull; anyone connected may send the pull (the server gives
// the proof of its weight, which the vault checks: a wrong one reverts).
async function trainedInto(id, models) {
  if (!models.length) return el("p", { id: "dataset-models", text: "No model with a training record names this dataset yet." });
  const rows = await Promise.all(models.map(async (m) => {
    if (m.unread) return [m, `its training log could not be read here: ${m.unread}`, []];
    const money = async (amounts) => (await Promise.all(Object.entries(amounts).filter(([, v]) => BigInt(v) > 0n)
      .map(([t, v]) => amountText(t, BigInt(v))))).join(", ") || "nothing";
    const share = Number((BigInt(m.weight) * 10000n) / BigInt(m.totalWeight)) / 100;
    const owed = Object.entries(m.pending).filter(([, v]) => BigInt(v) > 0n).map(([t]) => t);
    return [m, `${share}% of its training data · pulled ${await money(m.pulled)} · can pull ${await money(m.pending)}`, owed];
  }));
  return table("dataset-models", ["Model", "Share", ""], rows, ([m, text, owed], row) => {
    row.dataset.model = m.model;
    row.insertCell().append(link(`#/dataset/${m.model}`, `Model ${m.model.slice(0, 10)}…`, "model-link"));
    row.insertCell().textContent = text;
    const cell = row.insertCell();
    if (owed.length && app.account) {
      const pull = el("button", { class: "pull-training", text: "Pull its share" });
      pull.onclick = () => send("Pull training share", () => app.contracts.RoyaltyVault.pullTrainingShare(
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
  const box = el("section", { id: "dataset-card", "aria-label": "Card" });
  box.append(c.card ? safeFragment(c.card) : el("p", { text: "This dataset has no README." }));
  const downloads = el("ul", { id: "dataset-downloads" });
  for (const d of c.downloads) downloads.append(el("li", {}, link(d.href, d.label, "download-link")));
  const parts = [box, el("h3", { text: "Download" }), downloads];
  if (c.snippets.length) {
    parts.push(el("h3", { text: "Use it" }));
    for (const s of c.snippets) {
      parts.push(el("h4", { text: s.label }), el("pre", { class: "snippet", tabindex: "0" }, el("code", { text: s.code })));
    }
  }
  parts.push(el("p", {}, link(c.page, "Its page, to share and for search engines", "dataset-page-link")));
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
  title.textContent = `from ${h.edges[0]} to ${h.edges[h.edges.length - 1]}: ${h.counts.join(", ")}`;
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
  const box = el("section", { id: "dataset-viewer", "aria-label": "Viewer" });
  const state = { set: null, offset: 0, q: "" };
  const picker = el("select", { id: "viewer-set", "aria-label": "Record set" });
  const search = el("input", { id: "viewer-search", type: "search", placeholder: "Search the rows",
                               "aria-label": "Search the rows" });
  const prev = el("button", { id: "viewer-prev", text: "Previous" });
  const next = el("button", { id: "viewer-next", text: "Next" });
  const showing = el("span", { id: "viewer-showing" });
  const rows = el("div", { id: "viewer-rows", tabindex: "0", role: "region", "aria-label": "Rows" });
  const columns = el("div", { id: "viewer-columns" });
  const fail = (e) => { box.replaceChildren(el("p", { class: "note", text: `No preview: ${e.message}` })); box.dataset.ready = "error"; };
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
    showing.textContent = page.matched ? ` rows ${page.offset + 1}–${last} of ${page.matched}`
      + (page.matched < page.total ? ` matching (${page.total} in all) ` : " ") : " no row matches ";
    prev.disabled = page.offset === 0;
    next.disabled = last >= page.matched;
    if (withColumns) {
      const c = await getJson(`/api/preview/${encodeURIComponent(id)}/columns?set=${encodeURIComponent(state.set)}`);
      columns.replaceChildren(table("viewer-stats", ["Column", "Type", "Missing", "Distinct", "Values"], c.columns, (col, row) => {
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
             el("h4", { text: "Columns" }), columns);
  return { box, start: () => load(true).catch(fail) };
}

// [tag, text] of the first of the browser's languages `texts` (tag -> text) has, else null.
function inReadersLanguage(texts) {
  const base = (tag) => tag.toLowerCase().split("-")[0];
  for (const wanted of navigator.languages ?? [navigator.language]) {
    const found = Object.entries(texts ?? {}).find(([tag]) => base(tag) === base(wanted));
    if (found) return found;
  }
  return null;
}

export async function renderDataset(idOrLink) {
  const id = linkedDataset(idOrLink) ?? idOrLink;
  const page = $("explorer-page");
  const [d, graph, state] = await Promise.all([getJson(`/api/explorer/datasets/${encodeURIComponent(id)}`),
    getJson(`/api/explorer/datasets/${encodeURIComponent(id)}/lineage`), getJson("/api/explorer/status")]);
  const card = await getJson(`/api/card/${encodeURIComponent(d.id)}`).catch((e) => ({ error: e.message }));
  // the name and description in the reader's language when the publisher gave them in it
  const [nameLang, name] = inReadersLanguage(card.names) ?? [null, d.name];
  const [descriptionLang, description] = inReadersLanguage(card.descriptions) ?? [null, d.description];
  const parts = [el("p", {}, link("#/explore", "← all datasets")),
                 el("h2", { id: "dataset-name", text: name || `Dataset ${d.id}`, ...(nameLang ? { lang: nameLang } : {}) }),
                 indexNote(state)];
  if (description) parts.push(el("p", { id: "dataset-description", text: description, ...(descriptionLang ? { lang: descriptionLang } : {}) }));
  if (card.error) parts.push(el("p", { class: "note", text: `Card not shown: ${card.error}` }));
  else parts.push(...cardSection(card));
  const look = viewer(d.id);
  parts.push(el("h3", { text: "Rows and columns" }), look.box);
  parts.push(facts(d));
  parts.push(el("h3", { text: "Files" }));
  parts.push(d.files ? table("dataset-files", ["Path", "Size (bytes)", "CID", "SHA-256"], d.files, (f, row) => {
    row.insertCell().append(link(`${app.config.gateway}${d.content}/${f.path.split("/").map(encodeURIComponent).join("/")}`,
                                 f.path, "file-link"));
    row.insertCell().textContent = String(f.size);
    row.insertCell().append(el("span", { class: "cid", text: f.cid }));
    row.insertCell().append(el("span", { class: "cid", text: f.sha256 }));
  }) : el("p", { text: "The manifest is not in this server's IPFS store: file list unknown." }));
  parts.push(el("h3", { text: "Contributors" }));
  parts.push(table("dataset-contributors", ["Contributor", "Share", "Account"], d.contributors, (c, row) => {
    row.dataset.account = c.account;
    row.insertCell().append(link(`#/contributor/${c.account}`, c.name || shortAddress(c.account), "contributor-link"));
    row.insertCell().textContent = `${c.shareBps / 100}%`;
    row.insertCell().append(el("span", { class: "cid", text: c.account }));
  }));
  parts.push(el("h3", { text: "Lineage" }));
  // the models trained on it join its graph (their training records name it; each is a dataset too)
  const models = await getJson(`/api/trained/${encodeURIComponent(d.id)}`);
  for (const m of models.filter((m) => !m.unread && !graph.nodes.some((n) => n.id === m.model))) {
    graph.nodes.push({ id: m.model, name: null, license: null, status: "model" });
    graph.edges.push({ parent: d.id, child: m.model, kind: "trained" });
  }
  parts.push(graph.edges.length ? lineageGraph(graph) : el("p", { id: "lineage-none", text: "No parents, versions, derived datasets or models." }));
  if (graph.edges.some((e) => e.kind)) {
    parts.push(el("p", { class: "legend", text: "Solid: derived from · dashed: next version · dotted: a model trained on it" }));
  }
  parts.push(el("h3", { text: "Attestations" }));
  const medians = Object.entries(d.medianScore).map(([k, v]) => `${k.startsWith("0x") ? k.slice(0, 10) + "…" : k}: ${v / 100}%`);
  if (medians.length) parts.push(el("p", { id: "dataset-median", text: `Median score: ${medians.join(", ")}` }));
  parts.push(d.attestations.length ? table("dataset-attestations", ["Validator", "Kind", "Score", "Evidence", "When", ""],
    d.attestations, (a, row) => {
      row.insertCell().append(link(`#/contributor/${a.validator}`, shortAddress(a.validator)));
      row.insertCell().textContent = a.kindName || `${a.kind.slice(0, 10)}…`;
      row.insertCell().textContent = `${a.score / 100}%`;
      const evidence = row.insertCell();
      if (a.evidence) evidence.append(link(app.config.gateway + a.evidence, a.evidence, "cid"));
      row.insertCell().textContent = dateText(a.createdAt);
      row.insertCell().textContent = a.revoked ? "revoked" : "";
      if (a.revoked) row.className = "revoked";
    }) : el("p", { text: "No attestations yet." }));
  if (d.quality) parts.push(qualityReport(d.quality));
  parts.push(el("h3", { text: "Licence" }), await licence(d), await licenceChain(d.id));
  parts.push(el("h3", { text: "Royalties" }), ...(await royalties(d)));
  const record = await getJson(`/api/training/${encodeURIComponent(d.id)}`);
  if (record) parts.push(el("h3", { text: "Trained on (its training record)" }), await trainedOn(record));
  parts.push(el("h3", { text: "Trained into" }), await trainedInto(d.id, models));
  parts.push(...(await actionsPanel(d)));
  page.replaceChildren(...parts);
  page.dataset.ready = "dataset";
  look.start();
}
