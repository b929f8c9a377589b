// The dataset page's actions: download with every file checked in the browser, and for a
// connected wallet: pay royalties, settle the parents' share, buy a licence, offer licences
// (the dataset's owner).
import { NATIVE, amountText, app, dateText, el, getJson, guarded, loadChain, postJson, readContract, send, status } from "../shared.js";
import { buyLicence, parseAmount, payRoyalties } from "../actions.js";
import { downloadVerified, sha256 } from "../verify.js";
import { t, tn } from "../i18n.js";

// EIP-4361 (Sign-In with Ethereum), as the gateway's `siwe` parser reads it.
function siweMessage({ domain, address, uri, chainId, nonce }) {
  const now = new Date();
  const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `${domain} wants you to sign in with your Ethereum account:\n${app.ethers.getAddress(address)}\n\n` +
    "Sign in to download the private datasets you hold a licence for.\n\n" +
    `URI: ${uri}\nVersion: 1\nChain ID: ${chainId}\nNonce: ${nonce}\nIssued At: ${iso(now)}\n` +
    `Expiration Time: ${iso(new Date(now.getTime() + 300_000))}`;
}

async function gatewayJson(url, options = {}) {
  const reply = await fetch(url, options);
  const body = await reply.json().catch(() => ({}));
  if (!reply.ok) throw new Error(t("gateway.refused", { why: body.error || reply.status }));
  return body;
}

// A private dataset: signed in to its gateway with the wallet, every file decrypted there (after it
// checked the licence on-chain) and checked here against the plaintext sha256 of the manifest.
async function downloadPrivate(d, progress) {
  const gateway = d.private.gateways[0].replace(/\/$/, "");
  // the domain, URI and chain come from the URL this page connects to and from its own chain,
  // never from the gateway's claim: a gateway relaying another's sign-in gets nothing signed
  const url = new URL(gateway);
  const info = await gatewayJson(`${gateway}/v1/key`);
  if (info.domain !== url.host) throw new Error(t("gateway.otherSite", { origin: url.origin, domain: info.domain, host: url.host }));
  if (Number(info.chainId) !== Number(app.config.chainId)) {
    throw new Error(t("gateway.otherChain", { origin: url.origin, chain: info.chainId, ours: app.config.chainId }));
  }
  const { nonce } = await gatewayJson(`${gateway}/v1/nonce`);
  if (typeof nonce !== "string" || !/^[A-Za-z0-9]{8,64}$/.test(nonce)) throw new Error(t("gateway.badNonce", { origin: url.origin }));
  progress(t("gateway.signIn"));
  const message = siweMessage({ domain: url.host, address: app.account, uri: url.origin, chainId: Number(app.config.chainId), nonce });
  const signature = await app.signer.signMessage(message);
  const { token } = await gatewayJson(`${gateway}/v1/login`, { method: "POST", headers: { "content-type": "application/json" },
                                                              body: JSON.stringify({ message, signature }) });
  const files = [];
  for (const [i, f] of d.private.files.entries()) {
    progress(t("gateway.decrypting", { path: f.path, at: i + 1, of: d.private.files.length }));
    const reply = await fetch(`${gateway}/v1/datasets/${d.id}/files/${f.path.split("/").map(encodeURIComponent).join("/")}`,
                              { headers: { authorization: `Bearer ${token}` } });
    if (!reply.ok) throw new Error(t("gateway.refused", { why: (await reply.json().catch(() => ({}))).error || reply.status }));
    const bytes = await reply.arrayBuffer();
    const got = await sha256(bytes);
    if (got !== f.sha256) throw new Error(t("verify.mismatch", { what: f.path, got: got.slice(0, 16), expected: f.sha256.slice(0, 16) }));
    files.push({ path: f.path, size: bytes.byteLength, blob: new Blob([bytes]) });
  }
  return files;
}

function tokenSelect(id) {
  const select = el("select", { id, "aria-label": t("col.token") });
  for (const token of app.config.tokens) select.append(el("option", { value: token, text: token === NATIVE ? "ETH" : token }));
  return select;
}

function downloadPanel(d) {
  const result = el("div", { id: "verify-result" });
  const button = el("button", { id: "verify-download", text: d.private ? t("download.private") : t("download.verify") });
  button.onclick = async () => {
    button.disabled = true;
    try {
      if (d.private && !app.account) throw new Error(t("download.connect"));
      const progress = (text) => { result.textContent = text; };
      const files = d.private ? await downloadPrivate(d, progress) : await downloadVerified(app.config.gateway, d, progress);
      const list = el("ul", { id: "verified-files" });
      for (const f of files) {
        const a = el("a", { href: URL.createObjectURL(f.blob), download: f.path.split("/").pop(), text: f.path });
        list.append(el("li", {}, a, t("download.checkedFile", { size: f.size })));
      }
      result.replaceChildren(el("p", { class: "verified", text: tn(d.private ? "download.decrypted" : "download.verified",
                                                                   files.length) }), list);
      result.dataset.state = "verified";
    } catch (err) {
      result.replaceChildren(el("p", { class: "error", text: t("download.notVerified", { why: err.message }) }));
      result.dataset.state = "failed";
    } finally {
      button.disabled = false;
    }
  };
  return el("div", {}, button, result);
}

export async function actionsPanel(d) {
  const parts = [el("h3", { text: t("download") })];
  if (d.private) parts.push(el("p", { id: "private-note", text: t("download.privateNote", { gateway: d.private.gateways[0] }) }));
  parts.push(downloadPanel(d));
  if (!app.account) {
    parts.push(el("p", { id: "connect-hint", text: t("act.connect") }));
    return parts;
  }
  const id = BigInt(d.id);
  parts.push(el("h3", { text: t("act.title") }));
  const amount = el("input", { id: "pay-amount", placeholder: "1.0", size: 8 });
  const token = tokenSelect("pay-token");
  const pay = el("button", { id: "pay", text: t("royalty.pay") });
  pay.onclick = guarded(async () => payRoyalties(id, token.value, await parseAmount(token.value, amount.value)));
  parts.push(el("p", {}, `${t("royalty.payWord")} `, amount, " ", token, " ", pay));

  await loadChain();
  const vault = readContract("RoyaltyVault");
  for (const token of app.config.tokens) {
    const pending = await vault.pendingAncestorOf(id, token);
    if (pending === 0n) continue;
    const settle = el("button", { class: "settle", "data-token": token,
                                  text: t("royalty.settleAmount", { amount: await amountText(token, pending) }) });
    settle.onclick = () => send(t("royalty.settle"), () => app.contracts.RoyaltyVault.settle([id], token));
    parts.push(el("p", {}, settle));
  }
  if (d.status === "Proposed") {
    parts.push(el("p", { id: "licence-note", text: t("licence.onceAccepted") }));
  } else if (d.status === "Accepted" && d.licenseTerms.some((o) => o.active)) {
    // the account's own licence first: a holder extends it rather than buying the same thing again
    const licences = readContract("LicenseManager");
    const [valid, expiry] = await Promise.all([licences.hasValidLicense(app.account, id), licences.licenseExpiry(app.account, id)]);
    const perpetual = expiry === (1n << 64n) - 1n;
    if (valid) {
      parts.push(el("p", { id: "your-licence", text: perpetual ? t("licence.yourPerpetual") : t("licence.yourUntil", { date: dateText(expiry) }) }));
    }
    if (!(valid && perpetual)) {
      const buy = el("button", { id: "buy", text: valid ? t("licence.extend") : t("licence.buy") });
      buy.onclick = () => buyLicence(id);
      parts.push(el("p", {}, buy, el("span", { id: "buy-terms", text: ` ${t("licence.underTerms")}` })));
    }
  }
  if (d.owner.toLowerCase() === app.account.toLowerCase()) parts.push(...(await offerForm(id)));
  return parts;
}

// The owner's offer: a price, a length and the terms buyers agree to (a preset filled in with the
// attribution and community, or the terms the dataset was published with). The server checks the
// terms along the lineage and pins the document; the page binds its digest with `setTerms`.
async function offerForm(id) {
  const price = el("input", { id: "offer-price", placeholder: "0.01", size: 8 });
  const offerToken = tokenSelect("offer-token");
  const days = el("input", { id: "offer-days", value: "30", size: 4 });
  const preset = el("select", { id: "offer-preset" }, el("option", { value: "", text: t("offer.publishedTerms") }));
  for (const p of await getJson("/api/terms/presets")) preset.append(el("option", { value: p.name, text: `${p.title}: ${p.summary}` }));
  const attribution = el("input", { id: "offer-attribution", placeholder: t("offer.attribution"), "aria-label": t("offer.attribution"),
                                    size: 28 });
  const community = el("input", { id: "offer-community", placeholder: t("offer.community"), "aria-label": t("offer.community"),
                                  size: 20 });
  const summary = el("ul", { id: "offer-summary" });
  const offer = el("button", { id: "offer", text: t("offer.button") });
  offer.onclick = guarded(async () => {
    if (!/^\d+$/.test(days.value.trim())) throw new Error(t("offer.badDays", { text: JSON.stringify(days.value) }));
    const wei = await parseAmount(offerToken.value, price.value);
    status("pending", t("offer.checking"));
    const prepared = await postJson("/api/terms/prepare", { dataset: String(id), preset: preset.value,
                                                           attribution: attribution.value.trim(), community: community.value.trim() });
    if (prepared.error) throw new Error(t("offer.refused", { why: prepared.error }));
    summary.replaceChildren(...(prepared.summary.length ? prepared.summary : [t("offer.licenceAlone")])
      .map((line) => el("li", { text: line })), ...prepared.notes.map((n) => el("li", { class: "note", text: t("offer.note", { note: n }) })));
    await send(prepared.cid ? t("offer.under", { cid: prepared.cid }) : t("offer.button"), () =>
      app.contracts.LicenseManager.setTerms(id, offerToken.value, wei, BigInt(days.value.trim()) * 86400n, prepared.digest, true));
  });
  return [el("p", {}, `${t("offer.at")} `, price, " ", offerToken, ` ${t("offer.for")} `, days, ` ${t("offer.days")}`),
          el("p", {}, `${t("offer.terms")} `, preset, " ", attribution, " ", community, " ", offer), summary];
}
