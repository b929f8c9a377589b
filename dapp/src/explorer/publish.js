// Publish a dataset from the browser: the files and fields go to the dApp server, which checks
// them as `commons dataset publish` does and computes the CIDs; the wallet then commits and
// reveals (commit-reveal, so nobody can take the dataset's id in between); the server pins the
// content once the reveal is mined.
import { $, app, el, guarded, link, postJson, send, status, waitIndexed, withAccessList } from "../shared.js";
import { t } from "../i18n.js";

const LOCAL_CHAINS = [1337, 31337];

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

// "0xABC…=6000" lines as [{ account, shareBps }].
function parseContributors(text) {
  return text.split(/[\n,]+/).map((line) => line.trim()).filter(Boolean).map((line) => {
    const [account, share] = line.split("=").map((s) => s.trim());
    if (!account || !share) throw new Error(t("publish.badContributor", { text: JSON.stringify(line) }));
    return { account, shareBps: share };
  });
}

// "sw=Mito ya Kenya" lines as { sw: "Mito ya Kenya" } (the server checks each language tag).
function parseLanguages(text, what) {
  const out = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf("=");
    if (at < 1) throw new Error(t("publish.badLanguageLine", { what, text: JSON.stringify(line) }));
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

async function waitForBlock(number) {
  while ((await app.signer.provider.getBlockNumber()) < number) await new Promise((ok) => setTimeout(ok, 500));
}

async function publish(form) {
  // said at once (before anything is awaited), so an earlier outcome is never read as this one's
  status("pending", t("publish.reading"));
  const field = (name) => form.elements.namedItem(name);
  const files = [...field("files").files];
  if (!files.length) throw new Error(t("publish.chooseFiles"));
  const uploads = await Promise.all(files.map(async (f) => ({
    // a folder chosen whole names its files under the folder: the dataset holds what is inside it
    path: f.webkitRelativePath ? f.webkitRelativePath.split("/").slice(1).join("/") : f.name,
    data: base64(await f.arrayBuffer()) })));
  status("pending", t("publish.checking"));
  const prepared = await postJson("/api/publish/prepare", {
    publisher: app.account, files: uploads, name: field("name").value.trim(), description: field("description").value.trim(),
    license: field("license").value.trim(), commons: field("commons").value.trim(),
    contributors: parseContributors(field("contributors").value),
    parents: field("parents").value.split(",").map((p) => p.trim()).filter(Boolean), ancestorBps: field("ancestorBps").value.trim() || "0",
    names: parseLanguages(field("names").value, t("publish.namesWhat")),
    descriptions: parseLanguages(field("descriptions").value, t("publish.descriptionsWhat")) });
  if (prepared.error) throw new Error(prepared.error);
  const nft = app.contracts.DatasetNFT;
  const salt = app.ethers.hexlify(crypto.getRandomValues(new Uint8Array(32)));
  const commitment = await nft.commitmentOf(0, prepared.params, app.account, salt);
  const committed = await send(t("publish.commit"), () => nft.commit(commitment), { refresh: false });
  if (!committed) return;
  // the reveal must come at least minCommitAge blocks after the commit: a chain that mines only
  // on transactions mines the reveal itself in the next block, so its gas is not estimated early
  const revealable = committed.blockNumber + prepared.minCommitAge;
  const local = LOCAL_CHAINS.includes(app.config.chainId) && prepared.minCommitAge === 1;
  if (!local) {
    status("pending", t("publish.waitBlock", { block: revealable }));
    await waitForBlock(revealable);
  }
  const overrides = local ? { gasLimit: 2_000_000n } : {};
  const revealed = await send(t("publish.reveal"), () => nft.publish(prepared.params, salt, withAccessList("registry", overrides)), { refresh: false });
  if (!revealed) return;
  const pinned = await postJson("/api/publish/pin", { content: prepared.content });
  if (pinned.error) throw new Error(t("publish.pinFailed", { id: prepared.datasetId, why: pinned.error }));
  status("confirmed", t("publish.done", { id: prepared.datasetId, block: revealed.blockNumber, content: prepared.content }));
  await waitIndexed(revealed.blockNumber);
  location.hash = `#/dataset/${prepared.datasetId}`;
}

export async function renderPublish() {
  const page = $("explorer-page");
  if (!app.account) {
    page.replaceChildren(el("h2", { text: t("publish.title") }), el("p", { text: t("publish.connect") }));
    page.dataset.ready = "publish";
    return;
  }
  const input = (name, attributes = {}) => el("input", { id: `publish-${name}`, name, ...attributes });
  const form = el("form", { id: "publish-form" },
    el("label", { text: `${t("publish.files")} ` }, input("files", { type: "file", multiple: "" })),
    el("label", { text: `${t("col.name")} ` }, input("name", { size: 30 })),
    el("label", { text: `${t("publish.description")} ` }, input("description", { size: 40 })),
    el("label", { text: `${t("publish.names")} ` },
       el("textarea", { id: "publish-names", name: "names", rows: 2, cols: 40, placeholder: "sw=Mito ya Kenya" })),
    el("label", { text: `${t("publish.descriptions")} ` },
       el("textarea", { id: "publish-descriptions", name: "descriptions", rows: 2, cols: 40, placeholder: "fr=Débits des rivières du Kenya" })),
    el("label", { text: `${t("publish.licence")} ` }, input("license", { value: "CC-BY-4.0", size: 12 })),
    el("label", { text: `${t("col.commons")} ` }, input("commons", { placeholder: "KE/education", size: 14 })),
    el("label", { text: `${t("publish.contributors")} ` },
       el("textarea", { id: "publish-contributors", name: "contributors", rows: 3, cols: 60, text: `${app.account}=10000` })),
    el("label", { text: `${t("publish.parents")} ` }, input("parents", { size: 30 })),
    el("label", { text: `${t("publish.ancestorBps")} ` }, input("ancestorBps", { value: "0", size: 6 })),
    el("button", { id: "publish-go", type: "submit", text: t("nav.publish") }));
  form.onsubmit = (event) => { event.preventDefault(); guarded(() => publish(form))(); };
  page.replaceChildren(el("h2", { text: t("publish.title") }),
    el("p", { text: t("publish.how") }),
    form, el("p", {}, t("publish.orCli"), el("code", { text: "commons dataset publish DIR --license … --commons … --contributor ADDR=BPS" })),
    el("p", {}, link("#/explore", t("browse.back"))));
  page.dataset.ready = "publish";
}
