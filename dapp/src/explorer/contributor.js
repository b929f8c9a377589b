// Explorer: a contributor's page from the index: profile, earnings per dataset and token (earned,
// claimed, claimable) with totals, and, for the connected account itself, a claim button.
import { $, amountText, app, el, getJson, link, send, table, tokenName, withAccessList } from "../shared.js";
import { indexNote } from "./browse.js";
import { moneyChart } from "./charts.js";
import { t, tn } from "../i18n.js";

export async function renderContributor(address) {
  const page = $("explorer-page");
  const [c, state] = await Promise.all([getJson(`/api/explorer/contributors/${encodeURIComponent(address)}`),
    getJson("/api/explorer/status")]);
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
    const cells = await Promise.all(c.earnings.map((e) => Promise.all([text(e.token, e.earned), text(e.token, e.claimed),
                                                                      text(e.token, e.claimable)])));
    parts.push(table("contributor-earnings", ["model.dataset", "col.share", "col.earned", "col.claimed", "col.claimableShort"].map((k) => t(k)),
      c.earnings, (e, row) => {
      const [earned, claimed, claimable] = cells[c.earnings.indexOf(e)];
      row.dataset.id = e.dataset;
      row.dataset.token = e.token;
      row.insertCell().append(link(`#/dataset/${e.dataset}`, `${e.dataset.slice(0, 14)}…`));
      row.insertCell().textContent = `${e.shareBps / 100}%`;
      row.insertCell().textContent = earned;
      row.insertCell().textContent = claimed;
      Object.assign(row.insertCell(), { textContent: claimable, className: "claimable" });
    }));
  }
  const owed = c.earnings.filter((e) => BigInt(e.claimable) > 0n);
  if (owed.length && app.account?.toLowerCase() === c.account.toLowerCase()) {
    const ids = [...new Set(owed.map((e) => e.dataset))], tokens = [...new Set(owed.map((e) => e.token))];
    parts.push(el("p", {}, Object.assign(el("button", { id: "claim-all", text: tn("contributor.claimAll", ids.length) }),
      { onclick: () => send(t("royalty.claim"), () => app.contracts.RoyaltyVault.claim(ids, tokens, withAccessList("vault"))) })));
  } else if (owed.length) {
    parts.push(el("p", { id: "claim-hint", text: t("contributor.connectToClaim") }));
  }
  page.replaceChildren(...parts);
  page.dataset.ready = "contributor";
}
