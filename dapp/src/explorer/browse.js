// Explorer: browse and search the commons' datasets (by name, id or CID, licence, commons,
// contributor, status), a page at a time, from the index.
import { $, dateText, el, getJson, link, shortAddress, table } from "../shared.js";
import { t, tn } from "../i18n.js";

const PAGE = 25;
const FILTERS = [["q", "browse.byName"], ["license", "browse.byLicence"], ["contributor", "browse.byContributor"]];
const STATUSES = ["", "Proposed", "Accepted", "Rejected", "Retired", "Suspended"];

export function indexNote(s) {
  return el("p", { class: "index-note", text: t("index.note", { synced: s.synced, head: s.head }) +
    (s.behind ? t("index.behind", { n: s.behind }) : "") + (s.error ? t("index.error", { error: s.error }) : "") });
}

export async function renderBrowse(params) {
  const page = $("explorer-page");
  const query = new URLSearchParams();
  for (const key of ["q", "license", "commons", "contributor", "status"]) {
    if (params.get(key)) query.set(key, params.get(key));
  }
  const offset = Number(params.get("offset") || 0);
  query.set("limit", String(PAGE));
  query.set("offset", String(offset));
  const [result, codes, state] = await Promise.all([getJson(`/api/explorer/datasets?${query}`),
    getJson("/api/explorer/commons"), getJson("/api/explorer/status")]);

  const form = el("form", { id: "search" });
  for (const [key, label] of FILTERS) {
    form.append(el("label", { text: `${t(label)} ` }, el("input", { id: `search-${key}`, name: key, value: params.get(key) || "" })));
  }
  const commons = el("select", { id: "search-commons", name: "commons" }, el("option", { value: "", text: t("browse.anyCommons") }));
  for (const c of codes) commons.append(el("option", { value: c.code, text: `${c.code} (${c.datasets})` }));
  commons.value = params.get("commons") || "";
  const statusSelect = el("select", { id: "search-status", name: "status" });
  for (const s of STATUSES) statusSelect.append(el("option", { value: s, text: s ? t(`status.${s}`) : t("browse.anyStatus") }));
  statusSelect.value = params.get("status") || "";
  form.append(el("label", { text: `${t("col.commons")} ` }, commons), el("label", { text: `${t("col.status")} ` }, statusSelect),
              el("button", { id: "search-go", type: "submit", text: t("browse.search") }));
  form.onsubmit = (event) => {
    event.preventDefault();
    const q = $("search-q").value;
    if (q.trim().startsWith("opencommons:")) {  // a dataset link: straight to its page (checked there)
      location.hash = `#/dataset/${encodeURIComponent(q.trim())}`;
      return;
    }
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value.trim()) next.set(key, value.trim());
    location.hash = `#/explore?${next}`;
  };

  const results = table("explore-results", ["col.name", "col.licence", "col.status", "col.content", "contributors", "published"].map((k) => t(k)),
    result.items, (d, row) => {
      row.dataset.id = d.id;
      row.insertCell().append(link(`#/dataset/${d.id}`, d.name || t("browse.unnamed", { id: d.id.slice(0, 12) }), "dataset-link"));
      row.insertCell().textContent = d.license;
      row.insertCell().textContent = t(`status.${d.status}`);
      row.insertCell().append(el("span", { class: "cid", text: d.content }));
      row.insertCell().textContent = String(d.contributors);
      row.insertCell().append(el("span", { text: t("browse.publishedBy", { date: dateText(d.publishedAt) }) }),
                              link(`#/contributor/${d.publisher}`, shortAddress(d.publisher)));
    });
  const nav = el("p", { class: "pager" }, el("span", { id: "explore-total",
    text: tn("count.datasets", result.total) +
      (result.total > PAGE ? t("browse.shown", { from: offset + 1, to: Math.min(offset + PAGE, result.total) }) : "") }));
  for (const [label, at] of [["Previous", offset - PAGE], ["Next", offset + PAGE]]) {
    if (at < 0 || at >= result.total) continue;
    const other = new URLSearchParams(query);
    other.set("offset", String(at));
    other.delete("limit");
    nav.append(" ", link(`#/explore?${other}`, t(`page.${label}`), `page-${label.toLowerCase()}`));
  }
  const browse = el("p", { class: "commons-list" }, `${t("col.commons")}: `);
  for (const c of codes) browse.append(link(`#/explore?commons=${encodeURIComponent(c.code)}`, `${c.code} (${c.datasets})`), " ");
  page.replaceChildren(el("h2", { text: t("browse.title") }), indexNote(state), browse, form, nav, results);
  page.dataset.ready = "browse";
}
