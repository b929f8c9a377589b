// OpenCommons dApp: a wallet (an EIP-1193 wallet found by EIP-6963, through ethers v6) and an
// explorer of the commons answered from the index the dApp server follows. Pages by URL hash:
// #/ wallet, #/explore browse and search, #/dataset/ID, #/contributor/ADDRESS, #/proposals, #/publish.
import { $, app, dropFirstReads, explain, loadChain, loadConfig, status, waitIndexed } from "./shared.js";
import { loadLanguage, setupLanguagePicker, t, translateStatic } from "./i18n.js";
import { renderWallet, setupWallet } from "./wallet.js";
import { ensureChain, pickWallet } from "./wallets.js";
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
  const chain = loadChain();
  const wallet = await pickWallet();
  await ensureChain(wallet.provider);
  await chain;
  const provider = new app.ethers.BrowserProvider(wallet.provider);
  app.signer = await provider.getSigner();
  app.account = await app.signer.getAddress();
  app.wallet = wallet.info.name;
  $("account").textContent = app.account;
  $("connect").textContent = t("app.connected", { account: `${app.account.slice(0, 6)}…${app.account.slice(-4)}`,
                                                   wallet: wallet.info.name });
  app.contracts = Object.fromEntries(Object.entries(app.config.addresses).map(
    ([name, address]) => [name, new app.ethers.Contract(address, app.abis[name], app.signer)]));
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
  if (hash && hash !== "#" && hash !== "#/") {  // a route no page answers: say so, and which pages there are
    $("wallet-page").hidden = true;
    const page = $("explorer-page");
    page.hidden = false;
    page.replaceChildren(Object.assign(document.createElement("p"), { id: "no-route", className: "error",
      textContent: t("app.noRoute", { hash }) }));
    page.dataset.ready = "error";
    document.body.dataset.ready = "true";
    return;
  }
  $("explorer-page").hidden = true;
  $("wallet-page").hidden = false;
  await renderWallet();
}

// What the server calls the suite deployed without the factory, said in the reader's language.
const DIRECT_SUITE = "the directly deployed suite";
const commonsLabel = (label) => (label === DIRECT_SUITE ? t("app.directSuite") : label);

// The commons of this chain the page can act on (the factory's directory, those joined where the
// server runs): picking one is remembered in a same-site cookie the server reads on every request.
function setupPicker() {
  const picker = $("commons-picker");
  const choices = app.config.choices || [];
  if (choices.length < 2) return;
  picker.replaceChildren(...choices.map((c) => Object.assign(document.createElement("option"),
    { value: c.key, textContent: c.indexed ? commonsLabel(c.label) : t("app.walletPagesOnly", { label: commonsLabel(c.label) }),
      selected: c.key === app.config.commonsKey })));
  picker.hidden = false;
  picker.onchange = () => {
    document.cookie = `commons=${encodeURIComponent(picker.value)}; path=/; SameSite=Strict`;
    location.reload();
  };
}

async function main() {
  // the reader's words (English is in this script; another language is a script of its own,
  // fetched while the config is read: a page that cannot get it speaks English)
  const words = loadLanguage().catch(() => {});
  const config = loadConfig();
  await words;
  translateStatic();
  await config;
  const line = () => { $("commons-line").textContent = t("app.actingOn", { commons: commonsLabel(app.config.commons), chain: app.config.chainName }); };
  line();
  setupLanguagePicker($("language-picker"), () => {
    line();
    if (app.account) $("connect").textContent = t("app.connected", { account: `${app.account.slice(0, 6)}…${app.account.slice(-4)}`,
                                                                    wallet: app.wallet });
    route().catch((err) => status("failed", explain(err)));
  });
  setupPicker();
  app.refresh = route;
  $("connect").onclick = () => connect().catch((err) => status("failed", explain(err)));
  setupWallet();
  window.addEventListener("hashchange", () => route().catch((err) => status("failed", explain(err))));
  try {
    await route();
  } finally {
    dropFirstReads();  // a page that failed leaves no early answer for the next to take
  }
}

main().catch((err) => status("failed", explain(err)));
