// The dataset page's actions: download with every file checked in the browser, and for a
// connected wallet: pay royalties, settle the parents' share, buy a licence, offer licences
// (the dataset's owner).
import { ZeroHash } from "ethers";
import { NATIVE, amountText, app, el, guarded, readContract, send } from "../shared.js";
import { buyLicence, parseAmount, payRoyalties } from "../actions.js";
import { downloadVerified } from "../verify.js";

function tokenSelect(id) {
  const select = el("select", { id });
  for (const token of app.config.tokens) select.append(el("option", { value: token, text: token === NATIVE ? "ETH" : token }));
  return select;
}

function downloadPanel(d) {
  const result = el("div", { id: "verify-result" });
  const button = el("button", { id: "verify-download", text: "Download and verify" });
  button.onclick = async () => {
    button.disabled = true;
    try {
      const files = await downloadVerified(app.config.gateway, d, (text) => { result.textContent = text; });
      const list = el("ul", { id: "verified-files" });
      for (const f of files) {
        const a = el("a", { href: URL.createObjectURL(f.blob), download: f.path.split("/").pop(), text: f.path });
        list.append(el("li", {}, a, ` (${f.size} bytes, sha256 checked)`));
      }
      result.replaceChildren(el("p", { class: "verified", text: `Verified: the manifest hashes to the CID on-chain, and ` +
        `all ${files.length} file${files.length === 1 ? "" : "s"} match its sha256 digests.` }), list);
      result.dataset.state = "verified";
    } catch (err) {
      result.replaceChildren(el("p", { class: "error", text: `Not verified: ${err.message}` }));
      result.dataset.state = "failed";
    } finally {
      button.disabled = false;
    }
  };
  return el("div", {}, button, result);
}

export async function actionsPanel(d) {
  const parts = [el("h3", { text: "Download" }), downloadPanel(d)];
  if (!app.account) {
    parts.push(el("p", { id: "connect-hint", text: "Connect a wallet to pay royalties, buy or offer a licence." }));
    return parts;
  }
  const id = BigInt(d.id);
  parts.push(el("h3", { text: "Act on this dataset" }));
  const amount = el("input", { id: "pay-amount", placeholder: "1.0", size: 8 });
  const token = tokenSelect("pay-token");
  const pay = el("button", { id: "pay", text: "Pay royalties" });
  pay.onclick = guarded(async () => payRoyalties(id, token.value, await parseAmount(token.value, amount.value)));
  parts.push(el("p", {}, "Pay ", amount, " ", token, " ", pay));

  const vault = readContract("RoyaltyVault");
  for (const t of app.config.tokens) {
    const pending = await vault.pendingAncestorOf(id, t);
    if (pending === 0n) continue;
    const settle = el("button", { class: "settle", "data-token": t, text: `Settle ${await amountText(t, pending)} to the parents` });
    settle.onclick = () => send("Settle", () => app.contracts.RoyaltyVault.settle([id], t));
    parts.push(el("p", {}, settle));
  }
  if (d.status === "Accepted" && d.licenseTerms.some((t) => t.active)) {
    const buy = el("button", { id: "buy", text: "Buy licence" });
    buy.onclick = () => buyLicence(id);
    parts.push(el("p", {}, buy));
  }
  if (d.owner.toLowerCase() === app.account.toLowerCase()) {
    const price = el("input", { id: "offer-price", placeholder: "0.01", size: 8 });
    const offerToken = tokenSelect("offer-token");
    const days = el("input", { id: "offer-days", value: "30", size: 4 });
    const offer = el("button", { id: "offer", text: "Offer licences" });
    offer.onclick = guarded(async () => {
      if (!/^\d+$/.test(days.value.trim())) throw new Error(`days must be a whole number, not ${JSON.stringify(days.value)}`);
      const wei = await parseAmount(offerToken.value, price.value);
      await send("Offer licences", () => app.contracts.LicenseManager.setTerms(
        id, offerToken.value, wei, BigInt(days.value.trim()) * 86400n, ZeroHash, true));
    });
    parts.push(el("p", {}, "Offer licences at ", price, " ", offerToken, " for ", days, " days (0: perpetual) ", offer));
  }
  return parts;
}
