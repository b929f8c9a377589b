// What every page of the dApp shares: the app's state (config, wallet, contracts), the read-only
// provider, status line, revert decoding, sending a transaction, and formatting amounts and dates.
import { t, tn } from "./i18n.js";
import { formatUnits } from "./units.js";

export const NATIVE = "0x0000000000000000000000000000000000000000";
const ERC20 = ["function decimals() view returns (uint8)", "function symbol() view returns (string)"];
const tokenInfo = new Map();  // token -> { decimals, symbol }, read once

export const $ = (id) => document.getElementById(id);

// config: /api/config; ethers, abis, reader (the read-only provider): `loadChain`; account, signer,
// contracts: the connected wallet's; refresh: redraws the page shown (set by the router)
export const app = { config: null, ethers: null, abis: null, reader: null, errors: null, account: null, signer: null,
                     contracts: null, refresh: async () => {} };

// A read-only contract of the suite by name, built once (ethers parses the whole ABI per Contract:
// building three per table row cost the wallet page ~3 ms a row). After `await loadChain()`.
const readers = new Map();
export function readContract(name) {
  if (!readers.has(name)) readers.set(name, new app.ethers.Contract(app.config.addresses[name], app.abis[name], app.reader));
  return readers.get(name);
}

export async function loadConfig() {
  // the dApp server writes the config into the page (no request before the page's first read);
  // a page served otherwise asks for it
  const inline = document.getElementById("opencommons-config");
  app.config = inline ? JSON.parse(inline.textContent) : await (await fetch("/api/config")).json();
  // the contracts' errors, parsed the first time one is explained (not on every page's load); none
  // before the ABIs are in (nothing was sent or read from a contract then)
  let errors = null;
  Object.defineProperty(app, "errors", { configurable: true,
    get: () => (errors ??= app.errorAbi ? new app.ethers.Interface(app.errorAbi) : null) });
}

// ethers (~390 KB of script, its own chunk) and the contracts' ABIs and errors (~250 KB of JSON),
// loaded once, by the pages and actions that read or send to a contract: the explorer's pages draw
// from the index without either.
let chainLoaded = null;
export function loadChain() {
  chainLoaded ??= Promise.all([import("ethers"), getJson("/api/abis")]).then(([ethers, body]) => {
    app.abis = body.abis;
    app.errorAbi = body.errors;
    // the chain the config names: no eth_chainId asked before the first read
    app.reader = new ethers.JsonRpcProvider(`${location.origin}/rpc`, app.config.chainId, { staticNetwork: true });
    app.ethers = ethers;
  }).catch((err) => { chainLoaded = null; throw err; });
  return chainLoaded;
}

// The local API reads JSON bodies only (a foreign page cannot send them without a CORS preflight).
export async function postJson(path, value) {
  const reply = await fetch(path, { method: "POST", headers: { "content-type": "application/json" },
                                    body: JSON.stringify(value) });
  return reply.json();
}

// GET `path` of the local API: the answer the page's inline script asked for as the page was
// parsed (index.html; taken once), else a new request.
export function firstFetch(path) {
  const early = window.__firstReads?.get(path);
  if (!early) return fetch(path);
  window.__firstReads.delete(path);
  return early;
}

// After the first page is drawn: the inline script's answers that page did not take are dropped
// (a later page asks afresh) and named in the console and in `window.__firstReadsLeft` (its URLs
// and the page's have drifted apart).
export function dropFirstReads() {
  const left = (window.__firstReadsLeft = [...(window.__firstReads?.keys() ?? [])]);
  if (left.length) console.warn(`first reads asked for and not used: ${left.join(" ")}`);
  window.__firstReads?.clear();
}

// GET a JSON answer of the local API; an error answer throws its one-line message.
export async function getJson(path) {
  const reply = await firstFetch(path);
  const body = await reply.json();
  if (!reply.ok) throw new Error(body.error || `${path}: HTTP ${reply.status}`);
  return body;
}

export function status(kind, text) {
  const el = $("status");
  el.className = kind;
  el.textContent = text;
  el.dataset.state = kind;
}

// A revert in plain words: the custom error's name and arguments, from every contract's ABI.
export function explain(err) {
  if (err?.code === "ACTION_REJECTED" || err?.code === 4001 || err?.info?.error?.code === 4001) {
    return t("tx.rejected");
  }
  const data = err?.data ?? err?.info?.error?.data ?? err?.error?.data;
  if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) {
    try {
      const parsed = app.errors?.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
    } catch (_) { /* unknown selector */ }
  }
  return err?.shortMessage || err?.message || String(err);
}

// Sends a transaction from the wallet, reports each step in the status line, redraws the page.
export async function send(label, call, { refresh = true } = {}) {
  status("pending", t("tx.waiting", { label }));
  try {
    const tx = await call();
    status("pending", t("tx.pending", { label, tx: tx.hash }));
    const receipt = await tx.wait();
    status("confirmed", t("tx.confirmed", { label, block: receipt.blockNumber, gas: receipt.gasUsed }));
    if (refresh) await app.refresh(receipt.blockNumber);
    return receipt;
  } catch (err) {
    status("failed", t("tx.failed", { label, error: explain(err) }));
    return null;
  }
}

export function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

export function link(href, text, cls) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (cls) a.className = cls;
  return a;
}

// A token's decimals and symbol (ETH for the native token), read once.
async function tokenOf(token) {
  if (token === NATIVE) return { decimals: 18n, symbol: "ETH" };
  const listed = app.config.tokenUnits?.[token];  // the server read the listed tokens' units
  if (listed) return { decimals: BigInt(listed.decimals), symbol: listed.symbol };
  if (!tokenInfo.has(token)) {
    await loadChain();
    const erc20 = new app.ethers.Contract(token, ERC20, app.reader);
    tokenInfo.set(token, { decimals: await erc20.decimals(), symbol: await erc20.symbol().catch(() => token.slice(0, 8)) });
  }
  return tokenInfo.get(token);
}

// A whole number of units with thousands separators ("1,000,000.5"), as the CLI prints them.
export function grouped(text) {
  const [whole, fraction] = String(text).split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (fraction !== undefined ? `.${fraction}` : "");
}

// An amount in a token's own units ("1.5 TUSD"; ETH for the native token), by its decimals.
export async function amountText(token, amount) {
  const { decimals, symbol } = await tokenOf(token);
  return `${grouped(formatUnits(amount, decimals))} ${symbol}`;
}

// What to call a token: its symbol (ETH for the native token, never the zero address).
export async function tokenName(token) {
  return (await tokenOf(token)).symbol;
}

export function dateText(seconds) {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

// A licence's duration in words ("perpetual", "30 days"), from seconds.
export function durationText(seconds) {
  return Number(seconds) === 0 ? t("licence.perpetual") : tn("licence.days", Number(seconds) / 86400);
}

export function shortAddress(address) {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

// Waits until the index has read `block` (so an explorer page drawn next shows what it changed).
export async function waitIndexed(block, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const { synced } = await getJson("/api/explorer/status");
    if (synced >= block) return true;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  return false;
}

// A new element with its class, text and attributes: el("td", { class: "cid", text: cid }).
export function el(tag, { text, class: cls, ...attributes } = {}, ...children) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

// A table with a header row and one row per item, `row(item, tr)` filling each row.
export function table(id, headings, items, row) {
  const t = el("table", { id });
  const head = t.createTHead().insertRow();
  for (const h of headings) head.append(el("th", { text: h }));
  const body = t.createTBody();
  for (const item of items) row(item, body.insertRow());
  return t;
}

// An event handler whose failure (bad input, a rejected request) shows in the status line.
export function guarded(handler) {
  return async (...args) => {
    try {
      await handler(...args);
    } catch (err) {
      status("failed", explain(err));
    }
  };
}

// A factory-made commons' contracts are clones: naming their implementations in an EIP-2930
// access list makes the first call into each 100 gas cheaper (2,400 + 100 instead of 2,600).
// `through` is "registry" (publish) or "vault" (pay, claim); empty for a directly deployed suite.
export function withAccessList(through, overrides = {}) {
  const list = (app.config.accessLists || {})[through] || [];
  return list.length ? { ...overrides, accessList: list } : overrides;
}

// The dataset id a dataset link (`commons dataset link ID`: a commons reference ending in
// #dataset=ID) names, when the link is to this page's commons; null for anything that is not a
// link; an error naming the other commons otherwise (the same content in two commons has one id).
export function linkedDataset(text) {
  const value = String(text).trim();
  if (!value.startsWith("opencommons:")) return null;
  const [head, fragment = ""] = value.split("#");
  const id = fragment.match(/^dataset=(\d{1,78})$/);
  if (!id) throw new Error(t("link.malformed"));
  const commonsOf = (ref) => {
    const m = ref.split("?")[0].match(/^opencommons:(\d+)@\d+\/(.+)$/);
    return m ? `${m[1]}/${m[2].toLowerCase()}` : null;
  };
  const linked = commonsOf(head);
  if (!linked) throw new Error(t("link.unreadable"));
  if (linked !== commonsOf(app.config.reference)) {
    throw new Error(t("link.otherCommons", { chain: linked.split("/")[0], commons: linked.includes("/factory/")
      ? t("link.factoryCommons", { name: decodeURIComponent(linked.split("/").pop()) }) : t("link.ownContracts") }));
  }
  return id[1];
}
