// Explorer: governance proposals from the index, newest first, with tallies that stay live (the
// page polls while it is shown) and vote buttons for the connected account.
import { $, app, el, getJson, send, table } from "../shared.js";
import { formatEther } from "ethers";
import { indexNote } from "./browse.js";

const SUPPORT = { For: 1, Against: 0, Abstain: 2 };
const LIVE_MS = 1500;
let timer = null;

export function stopProposals() {
  clearTimeout(timer);
  timer = null;
}

function draw(result, state) {
  const t = table("explore-proposals", ["Proposal", "State", "For", "Against", "Abstain", "Voters", "Voting ends", ""],
    result.items, (p, row) => {
      row.dataset.id = p.id;
      row.insertCell().textContent = p.description;
      Object.assign(row.insertCell(), { textContent: p.state, className: "state" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.for), className: "for" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.against), className: "against" });
      Object.assign(row.insertCell(), { textContent: formatEther(p.abstain), className: "abstain" });
      Object.assign(row.insertCell(), { textContent: String(p.voters), className: "voters" });
      row.insertCell().textContent = `block ${p.voteEnd}`;
      const actions = row.insertCell();
      if (p.state === "Active" && app.account) {
        for (const [label, support] of Object.entries(SUPPORT)) {
          actions.append(Object.assign(el("button", { class: `vote-${label.toLowerCase()}`, text: label }),
            { onclick: () => send(`Vote ${label}`, () => app.contracts.CommonsGovernor.castVote(p.id, support)) }));
        }
      }
    });
  return [el("h2", { text: "Proposals" }), indexNote(state),
          el("p", { id: "proposals-total", text: `${result.total} proposal${result.total === 1 ? "" : "s"}, tallies live` }), t];
}

export async function renderProposals() {
  const page = $("explorer-page");
  const load = () => Promise.all([getJson("/api/explorer/proposals"), getJson("/api/explorer/status")]);
  page.replaceChildren(...draw(...(await load())));
  page.dataset.ready = "proposals";
  const tick = async () => {
    try {
      const [result, state] = await load();
      if (timer === null) return;  // left the page meanwhile
      page.replaceChildren(...draw(result, state));
      page.dataset.updated = String(state.synced);
    } catch (_) { /* the next tick tries again */ }
    if (timer !== null) timer = setTimeout(tick, LIVE_MS);
  };
  timer = setTimeout(tick, LIVE_MS);
}
