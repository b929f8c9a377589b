// Wallet discovery as wallets expect it now (EIP-6963, through mipd): every injected wallet
// announces itself and the user picks one; `window.ethereum` is only the fallback of a page with
// no announcing wallet. Then the chain: switch to the commons' chain, add it to the wallet when
// the wallet does not know it (`wallet_addEthereumChain`), and say plainly when the user stays on
// another chain.
import { createStore } from "mipd";
import { $, app, el } from "./shared.js";
import { t } from "./i18n.js";

const store = createStore();

// The wallets on offer: announced ones, else the legacy injected provider.
export function discovered() {
  const announced = store.getProviders();
  if (announced.length) return announced;
  return window.ethereum ? [{ info: { uuid: "injected", name: t("wallets.browser"), rdns: "" }, provider: window.ethereum }] : [];
}

// Resolves with the provider the user picks: the only one straight away, else from a list of
// buttons (one per wallet, by its announced name).
export function pickWallet() {
  const wallets = discovered();
  if (wallets.length === 0) return Promise.reject(new Error(t("wallets.none")));
  if (wallets.length === 1) return Promise.resolve(wallets[0]);
  return new Promise((resolve) => {
    const list = $("wallets");
    list.replaceChildren(el("span", { text: t("wallets.pick") }), ...wallets.map((wallet) => {
      const button = el("button", { text: wallet.info.name, "data-rdns": wallet.info.rdns || "" });
      button.onclick = () => { list.replaceChildren(); list.hidden = true; resolve(wallet); };
      return button;
    }));
    list.hidden = false;
  });
}

function chainName() {
  return app.config.chainName || t("wallets.chain", { id: app.config.chainId });
}

// Puts `provider` on the commons' chain, adding the chain to the wallet first when it lacks it.
export async function ensureChain(provider) {
  const wanted = "0x" + app.config.chainId.toString(16);
  const current = await provider.request({ method: "eth_chainId" });
  if (current === wanted) return;
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: wanted }] });
  } catch (err) {
    if (err?.code !== 4902 && err?.data?.originalError?.code !== 4902) throw onAnotherChain(current, err);
    if (!app.config.walletRpc) throw new Error(t("wallets.unknownChain", { chain: chainName() }));
    await provider.request({ method: "wallet_addEthereumChain", params: [{
      chainId: wanted, chainName: chainName(), rpcUrls: [app.config.walletRpc],
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } }] });
  }
  const after = await provider.request({ method: "eth_chainId" });
  if (after !== wanted) throw onAnotherChain(after);
}

function onAnotherChain(current, cause) {
  const have = current ? t("wallets.chain", { id: parseInt(current, 16) }) : t("wallets.anotherChain");
  return new Error(t(cause?.code === 4001 ? "wallets.switchRefused" : "wallets.otherChain", { have, chain: chainName() }));
}
