// Explorer: browse and search the commons' datasets (by name, id or CID, licence, commons,
// contributor, status), a page at a time, from the index.
import { $, dateText, el, getJson, link, shortAddress, table } from "../shared.js";

const PAGE = 25;
const FILTERS = [["q", "Name, id or CID"], ["license", "Licence (e.g. CC-BY-4.0)"], ["contributor", "Contributor 0x…"]];
const STATUSES = ["", "Proposed", "Accepted", "Rejected", "Retired"];

export function indexNote(s) {
  return el("p", { class: "index-note", text: `From the index: block ${s.synced} of ${s.head}` +
    (s.behind ? ` (${s.behind} behind, catching up)` : "") + (s.error ? `; last sync error: ${s.error}` : "") });
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
    form.append(el("label", { text: `${label} ` }, el("input", { id: `search-${key}`, name: key, value: params.get(key) || "" })));
  }
  const commons = el("select", { id: "search-commons", name: "commons" }, el("option", { value: "", text: "any commons" }));
  for (const c of codes) commons.append(el("option", { value: c.code, text: `${c.code} (${c.datasets})` }));
  commons.value = params.get("commons") || "";
  const statusSelect = el("select", { id: "search-status", name: "status" });
  for (const s of STATUSES) statusSelect.append(el("option", { value: s, text: s || "any status" }));
  statusSelect.value = params.get("status") || "";
  form.append(el("label", { text: "Commons " }, commons), el("label", { text: "Status " }, statusSelect),
              el("button", { id: "search-go", type: "submit", text: "Search" }));
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

  const results = table("explore-results", ["Name", "Licence", "Status", "Content", "Contributors", "Published"],
    result.items, (d, row) => {
      row.dataset.id = d.id;
      row.insertCell().append(link(`#/dataset/${d.id}`, d.name || `dataset ${d.id.slice(0, 12)}…`, "dataset-link"));
      row.insertCell().textContent = d.license;
      row.insertCell().textContent = d.status;
      row.insertCell().append(el("span", { class: "cid", text: d.content }));
      row.insertCell().textContent = String(d.contributors);
      row.insertCell().append(el("span", { text: `${dateText(d.publishedAt)} by ` }),
                              link(`#/contributor/${d.publisher}`, shortAddress(d.publisher)));
    });
  const nav = el("p", { class: "pager" }, el("span", { id: "explore-total",
    text: `${result.total} dataset${result.total === 1 ? "" : "s"}` +
      (result.total > PAGE ? `, ${offset + 1}-${Math.min(offset + PAGE, result.total)} shown` : "") }));
  for (const [label, at] of [["Previous", offset - PAGE], ["Next", offset + PAGE]]) {
    if (at < 0 || at >= result.total) continue;
    const other = new URLSearchParams(query);
    other.set("offset", String(at));
    other.delete("limit");
    nav.append(" ", link(`#/explore?${other}`, label, `page-${label.toLowerCase()}`));
  }
  const browse = el("p", { class: "commons-list" }, "Commons: ");
  for (const c of codes) browse.append(link(`#/explore?commons=${encodeURIComponent(c.code)}`, `${c.code} (${c.datasets})`), " ");
  page.replaceChildren(el("h2", { text: "Explore the commons" }), indexNote(state), browse, form, nav, results);
  page.dataset.ready = "browse";
}
