// Explorer: governance proposals from the index, newest first, with tallies that stay live (the
// page polls while it is shown) and vote buttons for the connected account.
import { $, app, el, getJson, guarded, send, table } from "../shared.js";
import { formatEther } from "../units.js";
import { indexNote } from "./browse.js";
import { votesChart } from "./charts.js";
import { t, tn } from "../i18n.js";

const SUPPORT = { For: 1, Against: 0, Abstain: 2 };
const LIVE_MS = 1500;
let timer = null;

// A passed proposal is queued through the commons' charter where it has one (two houses, issue 37):
// the governor refuses any other queuer.
function queue(args) {
  const charter = app.contracts.CommonsCharter;
  return charter ? charter.queue(app.contracts.CommonsGovernor.target, ...args)
    : app.contracts.CommonsGovernor.queue(...args);
}

export function stopProposals() {
  clearTimeout(timer);
  timer = null;
}

function draw(result, state) {
  const list = table("explore-proposals", [...["col.proposal", "col.state", "vote.For", "vote.Against", "vote.Abstain",
    "col.voters", "col.overTime", "col.votingEnds"].map((k) => t(k)), ""],
    result.items, (p, row) => {
      row.dataset.id = p.id;
      row.insertCell().textContent = p.description;
      const stateCell = Object.assign(row.insertCell(), { textContent: p.cancelled ? t("proposal.cancelledBecause",
        { reason: p.cancelled.reason }) : t(`proposal.${p.state}`), className: "state" });
      if (p.contributors) {  // made in the contributors' house too (issue 37): its own state and votes
        stateCell.append(el("div", { class: "house", text: t("proposal.contributorsHouse", {
          state: t(`proposal.${p.contributors.state}`), for: p.contributors.for, against: p.contributors.against }) }));
      }
      Object.assign(row.insertCell(), { textContent: formatEther(p.for), className: "for" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.against), className: "against" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.abstain), className: "abstain" });
      Object.assign(row.insertCell(), { textContent: String(p.voters), className: "voters" });
      row.insertCell().append(votesChart(p));
      row.insertCell().textContent = t("proposal.block", { block: p.voteEnd });
      const actions = row.insertCell();
      const args = [p.targets, p.values, p.calldatas, p.descriptionHash];
      if (p.state === "Succeeded" && app.account) {
        actions.append(Object.assign(el("button", { class: "queue", text: t("proposal.queue") }),
          { onclick: () => send(t("proposal.queue"), () => queue(args)) }));
      }
      if (p.state === "Queued" && app.account) {
        const ready = state.headTime >= Number(p.eta);  // the chain's clock, not the browser's
        actions.append(Object.assign(el("button", { class: "execute", text: ready ? t("proposal.execute")
          : t("proposal.executeFrom", { date: `${new Date(Number(p.eta) * 1000).toISOString().slice(0, 16)} UTC` }) }),
          { onclick: () => send(t("proposal.execute"), () => app.contracts.CommonsGovernor.execute(...args)) }));
      }
      if (p.state === "Active" && app.account) {
        for (const [label, support] of Object.entries(SUPPORT)) {
          actions.append(Object.assign(el("button", { class: `vote-${label.toLowerCase()}`, text: t(`vote.${label}`) }),
            { onclick: () => send(t(`vote.cast.${label}`), () => app.contracts.CommonsGovernor.castVote(p.id, support)) }));
        }
      }
    });
  return [indexNote(state),
          el("p", { id: "proposals-total", text: tn("proposal.total", result.total) }), list];
}

// Proposes accepting a dataset (and rewarding its contributors), as `commons gov propose --accept`.
function proposeForm() {
  const dataset = el("input", { id: "propose-dataset", placeholder: t("proposal.datasetId"), "aria-label": t("proposal.datasetId"), size: 30 });
  const reward = el("input", { id: "propose-reward", placeholder: "0", "aria-label": t("proposal.reward"), size: 8 });
  const button = el("button", { id: "propose", text: t("proposal.propose") });
  button.onclick = guarded(async () => {
    const id = dataset.value.trim();
    if (!/^\d+$/.test(id)) throw new Error(t("proposal.giveId"));
    const nft = app.contracts.DatasetNFT, rewards = app.contracts.ContributionRewards;
    const targets = [nft.target], calldatas = [nft.interface.encodeFunctionData("curate", [BigInt(id), 2])];
    const amount = reward.value.trim() ? app.ethers.parseEther(reward.value.trim()) : 0n;
    if (amount > 0n) {
      targets.push(rewards.target);
      calldatas.push(rewards.interface.encodeFunctionData("reward", [BigInt(id), amount]));
    }
    const summary = `Accept dataset ${id}` + (amount > 0n ? ` and reward its contributors ${formatEther(amount)} OCT` : "");
    await send(t("proposal.propose"), () => app.contracts.CommonsGovernor.propose(targets, targets.map(() => 0n), calldatas,
                                                                    `${summary} [${Date.now() / 1000}]`));
  });
  return el("p", { id: "propose-form" }, `${t("proposal.toAccept")} `, dataset, ` ${t("proposal.rewarding")} `, reward,
            " OCT ", button);
}

export async function renderProposals() {
  const page = $("explorer-page");
  const load = () => Promise.all([getJson("/api/explorer/proposals"), getJson("/api/explorer/status")]);
  const form = app.account ? proposeForm() : el("p", { text: t("proposal.connect") });
  const list = el("div", { id: "proposals-list" });
  list.replaceChildren(...draw(...(await load())));
  // the list is redrawn while the page is shown; the form keeps what is typed into it
  page.replaceChildren(el("h2", { text: t("nav.proposals") }), form, list);
  page.dataset.ready = "proposals";
  const tick = async () => {
    try {
      const [result, state] = await load();
      if (timer === null) return;  // left the page meanwhile
      list.replaceChildren(...draw(result, state));
      page.dataset.updated = String(state.synced);
    } catch (_) { /* the next tick tries again */ }
    if (timer !== null) timer = setTimeout(tick, LIVE_MS);
  };
  timer = setTimeout(tick, LIVE_MS);
}
