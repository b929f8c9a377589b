// Transactions more than one page sends from the connected wallet: approving an ERC-20 before a
// contract pulls it, buying a licence at its current terms, paying royalties into a dataset.
import { NATIVE, amountText, app, getJson, loadChain, send, status, withAccessList } from "./shared.js";
import { t } from "./i18n.js";

const ERC20 = ["function decimals() view returns (uint8)",
               "function allowance(address owner, address spender) view returns (uint256)",
               "function approve(address spender, uint256 amount) returns (bool)"];

// `text` ("1.5") in the token's smallest units, by its decimals (18 for ETH).
export async function parseAmount(token, text) {
  const amount = text.trim();
  if (!/^\d+(\.\d+)?$/.test(amount)) throw new Error(t("amount.notNumber", { text: JSON.stringify(text) }));
  await loadChain();
  const decimals = token === NATIVE ? 18 : Number(await new app.ethers.Contract(token, ERC20, app.reader).decimals());
  try {
    return app.ethers.parseUnits(amount, decimals);
  } catch (_) {
    throw new Error(t("amount.tooPrecise", { amount, decimals }));
  }
}

// An ERC-20 amount `spender` may take only once the wallet approves it; true when it may.
export async function approveFor(spender, token, amount) {
  if (token === NATIVE) return true;
  const erc20 = new app.ethers.Contract(token, ERC20, app.signer);
  if ((await erc20.allowance(app.account, spender)) >= amount) return true;
  return Boolean(await send(t("amount.approve", { amount: await amountText(token, amount) }), () => erc20.approve(spender, amount)));
}

// What a buyer agrees to, read by the server from the terms document bound on-chain: its summary
// lines, or the licence alone; null (and said in the status line) when the document is unreadable.
export async function termsToAccept(datasetId) {
  const [own] = await getJson(`/api/licence/${datasetId}`);
  if (own.terms) return t("terms.agreed", { terms: own.terms.join("; "), document: own.termsDocument });
  if (own.unread) {
    status("failed", t("terms.unreadNotBought", { id: datasetId, why: own.unread }));
    return null;
  }
  return t("terms.licenceAlone", { licence: own.licence });
}

export async function buyLicence(datasetId) {
  const licences = app.contracts.LicenseManager;
  status("pending", t("licence.readingTerms"));
  const [terms, agreed] = await Promise.all([licences.termsOf(datasetId), termsToAccept(datasetId)]);
  if (agreed === null) return null;
  if (!(await approveFor(licences.target, terms.token, terms.price))) return null;
  return send(t("licence.buyAt", { price: await amountText(terms.token, terms.price), terms: agreed }),
    () => licences.buy(datasetId, terms.token, terms.price, terms.duration, terms.termsDigest,
      { value: terms.token === NATIVE ? terms.price : 0n }));
}

export async function payRoyalties(datasetId, token, amount) {
  const vault = app.contracts.RoyaltyVault;
  if (!(await approveFor(vault.target, token, amount))) return null;
  return send(t("royalty.payAmount", { amount: await amountText(token, amount) }), () => vault.pay(datasetId, token, amount,
    withAccessList("vault", { value: token === NATIVE ? amount : 0n })));
}
