// OpenCommons dApp: a wallet (an EIP-1193 wallet, window.ethereum, through ethers v6) and an
// explorer of the commons answered from the index the dApp server follows. Pages by URL hash:
// #/ wallet, #/explore browse and search, #/dataset/ID, #/contributor/ADDRESS, #/proposals, #/publish.
import { BrowserProvider, Contract } from "ethers";
import { $, app, explain, loadConfig, status, waitIndexed } from "./shared.js";
import { renderWallet, setupWallet } from "./wallet.js";
import { renderBrowse } from "./explorer/browse.js";
import { renderDataset } from "./explorer/dataset.js";
import { renderContributor } from "./explorer/contributor.js";
import { renderProposals, stopProposals } from "./explorer/proposals.js";
import { renderPublish } from "./explorer/publish.js";

const ROUTES = [
  [/^#\/explore(?:\?(.*))?$/, (m) => renderBrowse(new URLSearchParams(m[1] || ""))],
  [/^#\/dataset\/([^/?]+)$/, (m) => renderDataset(decodeURIComponent(m[1]))],
  [/^#\/contributor\/([^/?]+)$/, (m) => renderContributor(decodeURIComponent(m[1]))],
  [/^#\/proposals$/, () => renderProposals()],
  [/^#\/publish$/, () => renderPublish()],
];

async function connect() {
  if (!window.ethereum) {
    status("failed", "No wallet found: install an EIP-1193 wallet such as MetaMask.");
    return;
  }
  const chainHex = "0x" + app.config.chainId.toString(16);
  if ((await window.ethereum.request({ method: "eth_chainId" })) !== chainHex) {
    await window.ethereum.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chainHex }] });
  }
  const provider = new BrowserProvider(window.ethereum);
  app.signer = await provider.getSigner();
  app.account = await app.signer.getAddress();
  $("account").textContent = app.account;
  app.contracts = Object.fromEntries(Object.entries(app.config.addresses).map(
    ([name, address]) => [name, new Contract(address, app.config.abis[name], app.signer)]));
  await app.refresh();
}

// Draws the page the hash names; an explorer page waits for the index to reach `block` first.
async function route(block) {
  stopProposals();
  const hash = location.hash;
  for (const [pattern, render] of ROUTES) {
    const match = hash.match(pattern);
    if (!match) continue;
    $("wallet-page").hidden = true;
    $("explorer-page").hidden = false;
    if (block) await waitIndexed(block);
    try {
      await render(match);
      document.body.dataset.ready = "true";
    } catch (err) {
      const page = $("explorer-page");
      page.replaceChildren(Object.assign(document.createElement("p"), { className: "error", textContent: explain(err) }));
      page.dataset.ready = "error";
      document.body.dataset.ready = "true";
    }
    return;
  }
  $("explorer-page").hidden = true;
  $("wallet-page").hidden = false;
  await renderWallet();
}

async function main() {
  await loadConfig();
  app.refresh = route;
  $("connect").onclick = () => connect().catch((err) => status("failed", explain(err)));
  setupWallet();
  window.addEventListener("hashchange", () => route().catch((err) => status("failed", explain(err))));
  await route();
}

main().catch((err) => status("failed", explain(err)));
