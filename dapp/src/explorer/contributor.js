// Explorer: a contributor's page from the index: profile, earnings per dataset and token (earned,
// claimed, claimable) with totals, and, for the connected account itself, a claim button.
import { $, amountText, app, el, getJson, guarded, link, send, table, tokenName, withAccessList } from "../shared.js";
import { indexNote } from "./browse.js";
import { moneyChart } from "./charts.js";
import { t, tn } from "../i18n.js";

// earnings rows drawn at a time: someone with a thousand datasets gets them a page at a time
const ROWS = 50;

export async function renderContributor(address) {
  const page = $("explorer-page");
  const url = (offset) => `/api/explorer/contributors/${encodeURIComponent(address)}?offset=${offset}&limit=${ROWS}`;
  const [c, state] = await Promise.all([getJson(url(0)), getJson("/api/explorer/status")]);
  const parts = [el("p", {}, link("#/explore", t("browse.back"))), el("h2", { id: "contributor-name", text: c.name || c.account }),
                 el("p", { id: "contributor-account", class: "cid", text: c.account }), indexNote(state),
                 el("p", { id: "contributor-state", text: c.communityCode
                   ? t(c.registered ? "contributor.registeredOf" : "contributor.notRegisteredOf", { community: c.communityCode })
                   : t(c.registered ? "contributor.registered" : "contributor.notRegistered") })];
  if (c.profile) parts.push(el("p", {}, t("contributor.profile"), link(app.config.gateway + c.profile, c.profile, "cid")));

  const totals = Object.entries(c.totals);
  const text = async (token, value) => amountText(token, BigInt(value));
  parts.push(el("h3", { text: t("contributor.earnings") }));
  const totalCells = await Promise.all(totals.map(([token, x]) => Promise.all([text(token, x.earned),
    text(token, x.claimed), text(token, x.claimable), tokenName(token)])));
  parts.push(totals.length ? table("contributor-totals", ["col.token", "col.earned", "col.claimed", "col.claimableShort"].map((k) => t(k)), totals,
    ([token], row) => {
      const [earned, claimed, claimable, name] = totalCells[totals.findIndex(([t]) => t === token)];
      row.dataset.token = token;
      Object.assign(row.insertCell(), { textContent: name, className: "token", title: token });
      row.insertCell().textContent = earned;
      row.insertCell().textContent = claimed;
      Object.assign(row.insertCell(), { textContent: claimable, className: "claimable" });
    }) : el("p", { text: t("contributor.noRoyalties") }));
  // what it earned over time, a line per token
  for (const [token, points] of Object.entries(c.earnedSeries ?? {})) parts.push(await moneyChart(token, points, "earned"));
  if (c.earnings.length) {
    const earnings = table("contributor-earnings", ["model.dataset", "col.share", "col.earned", "col.claimed", "col.claimableShort"].map((k) => t(k)),
      [], () => {});
    const more = el("button", { id: "earnings-more", type: "button" });
    let shown = 0;
    const draw = async (rows) => {
      const cells = await Promise.all(rows.map((e) => Promise.all([text(e.token, e.earned), text(e.token, e.claimed),
                                                                   text(e.token, e.claimable)])));
      rows.forEach((e, i) => {
        const [earned, claimed, claimable] = cells[i];
        const row = earnings.tBodies[0].insertRow();
        row.dataset.id = e.dataset;
        row.dataset.token = e.token;
        row.insertCell().append(link(`#/dataset/${e.dataset}`, `${e.dataset.slice(0, 14)}…`));
        row.insertCell().textContent = `${e.shareBps / 100}%`;
        row.insertCell().textContent = earned;
        row.insertCell().textContent = claimed;
        Object.assign(row.insertCell(), { textContent: claimable, className: "claimable" });
      });
      shown += rows.length;
      const left = c.earningsCount - shown;
      more.hidden = left <= 0 || !rows.length;
      more.textContent = t("contributor.showMore", { n: Math.min(left, ROWS), left });
    };
    more.onclick = guarded(async () => draw((await getJson(url(shown))).earnings));
    await draw(c.earnings);
    parts.push(earnings, el("p", {}, more));
  }
  const owed = c.owed;
  if (owed.datasets.length && app.account?.toLowerCase() === c.account.toLowerCase()) {
    const ids = owed.datasets, tokens = owed.tokens;
    // one transaction's worth at a time (the server names the first batch): the next after this one lands
    const label = owed.count > ids.length ? t("contributor.claimBatch", { n: ids.length, total: owed.count })
      : tn("contributor.claimAll", ids.length);
    parts.push(el("p", {}, Object.assign(el("button", { id: "claim-all", text: label }),
      { onclick: () => send(t("royalty.claim"), () => app.contracts.RoyaltyVault.claim(ids, tokens, withAccessList("vault"))) })));
  } else if (owed.datasets.length) {
    parts.push(el("p", { id: "claim-hint", text: t("contributor.connectToClaim") }));
  }
  page.replaceChildren(...parts);
  page.dataset.ready = "contributor";
}
