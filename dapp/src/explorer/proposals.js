// Explorer: governance proposals from the index, newest first, with tallies that stay live (the
// page polls while it is shown) and vote buttons for the connected account.
import { $, app, el, getJson, guarded, send, table } from "../shared.js";
import { formatEther, parseEther } from "ethers";
import { indexNote } from "./browse.js";

const SUPPORT = { For: 1, Against: 0, Abstain: 2 };
const LIVE_MS = 1500;
let timer = null;

export function stopProposals() {
  clearTimeout(timer);
  timer = null;
}

// A proposal's votes over its blocks: for, against and abstain as three lines (an accessible
// image: the tally after the last vote is its label).
function votesChart(p) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const W = 120, H = 36, points = p.series;
  const most = points.reduce((m, [, f, a, b]) => [f, a, b].reduce((n, v) => (BigInt(v) > n ? BigInt(v) : n), m), 1n);
  const first = points.length ? points[0][0] : p.voteStart, last = points.length ? points[points.length - 1][0] : p.voteStart;
  const x = (b) => 2 + (last === first ? W - 4 : ((b - first) / (last - first)) * (W - 4));
  const y = (v) => H - 2 - Number((BigInt(v) * 1000n) / most) / 1000 * (H - 4);
  for (const [k, v] of Object.entries({ viewBox: `0 0 ${W} ${H}`, class: "votes-chart", role: "img",
    "aria-label": points.length ? `after block ${last}: for ${formatEther(p.for)}, against ${formatEther(p.against)}, `
      + `abstain ${formatEther(p.abstain)}` : "no votes yet" })) svg.setAttribute(k, v);
  ["for", "against", "abstain"].forEach((side, i) => {
    if (!points.length) return;
    const line = document.createElementNS(ns, "path");
    line.setAttribute("class", side);
    line.setAttribute("d", points.map(([b, ...t], j) => `${j ? "L" : "M"}${x(b)},${y(t[i])}`).join(" "));
    svg.append(line);
  });
  return svg;
}

function draw(result, state) {
  const t = table("explore-proposals", ["Proposal", "State", "For", "Against", "Abstain", "Voters", "Over time", "Voting ends", ""],
    result.items, (p, row) => {
      row.dataset.id = p.id;
      row.insertCell().textContent = p.description;
      Object.assign(row.insertCell(), { textContent: p.state, className: "state" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.for), className: "for" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.against), className: "against" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.abstain), className: "abstain" });
      Object.assign(row.insertCell(), { textContent: String(p.voters), className: "voters" });
      row.insertCell().append(votesChart(p));
      row.insertCell().textContent = `block ${p.voteEnd}`;
      const actions = row.insertCell();
      const args = [p.targets, p.values, p.calldatas, p.descriptionHash];
      if (p.state === "Succeeded" && app.account) {
        actions.append(Object.assign(el("button", { class: "queue", text: "Queue" }),
          { onclick: () => send("Queue", () => app.contracts.CommonsGovernor.queue(...args)) }));
      }
      if (p.state === "Queued" && app.account) {
        const ready = state.headTime >= Number(p.eta);  // the chain's clock, not the browser's
        actions.append(Object.assign(el("button", { class: "execute", text: ready ? "Execute" : `Execute (from ${new Date(Number(p.eta) * 1000).toISOString().slice(0, 16)} UTC)` }),
          { onclick: () => send("Execute", () => app.contracts.CommonsGovernor.execute(...args)) }));
      }
      if (p.state === "Active" && app.account) {
        for (const [label, support] of Object.entries(SUPPORT)) {
          actions.append(Object.assign(el("button", { class: `vote-${label.toLowerCase()}`, text: label }),
            { onclick: () => send(`Vote ${label}`, () => app.contracts.CommonsGovernor.castVote(p.id, support)) }));
        }
      }
    });
  return [indexNote(state),
          el("p", { id: "proposals-total", text: `${result.total} proposal${result.total === 1 ? "" : "s"}, tallies live` }), t];
}

// Proposes accepting a dataset (and rewarding its contributors), as `commons gov propose --accept`.
function proposeForm() {
  const dataset = el("input", { id: "propose-dataset", placeholder: "dataset id or CID", size: 30 });
  const reward = el("input", { id: "propose-reward", placeholder: "0", size: 8 });
  const button = el("button", { id: "propose", text: "Propose" });
  button.onclick = guarded(async () => {
    const id = dataset.value.trim();
    if (!/^\d+$/.test(id)) throw new Error("give the dataset's id (the number on its page)");
    const nft = app.contracts.DatasetNFT, rewards = app.contracts.ContributionRewards;
    const targets = [nft.target], calldatas = [nft.interface.encodeFunctionData("curate", [BigInt(id), 2])];
    const amount = reward.value.trim() ? parseEther(reward.value.trim()) : 0n;
    if (amount > 0n) {
      targets.push(rewards.target);
      calldatas.push(rewards.interface.encodeFunctionData("reward", [BigInt(id), amount]));
    }
    const summary = `Accept dataset ${id}` + (amount > 0n ? ` and reward its contributors ${formatEther(amount)} OCT` : "");
    await send("Propose", () => app.contracts.CommonsGovernor.propose(targets, targets.map(() => 0n), calldatas,
                                                                    `${summary} [${Date.now() / 1000}]`));
  });
  return el("p", { id: "propose-form" }, "Propose to accept dataset ", dataset, " rewarding its contributors ", reward,
            " OCT ", button);
}

export async function renderProposals() {
  const page = $("explorer-page");
  const load = () => Promise.all([getJson("/api/explorer/proposals"), getJson("/api/explorer/status")]);
  const form = app.account ? proposeForm() : el("p", { text: "Connect a wallet to propose, vote, queue and execute." });
  const list = el("div", { id: "proposals-list" });
  list.replaceChildren(...draw(...(await load())));
  // the list is redrawn while the page is shown; the form keeps what is typed into it
  page.replaceChildren(el("h2", { text: "Proposals" }), form, list);
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
