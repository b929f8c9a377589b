// Publish a dataset from the browser: the files and fields go to the dApp server, which checks
// them as `commons dataset publish` does and computes the CIDs; the wallet then commits and
// reveals (commit-reveal, so nobody can take the dataset's id in between); the server pins the
// content once the reveal is mined.
import { hexlify } from "ethers";
import { $, app, el, guarded, link, postJson, send, status, waitIndexed, withAccessList } from "../shared.js";

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
    if (!account || !share) throw new Error(`a contributor is ADDRESS=BPS, not ${JSON.stringify(line)}`);
    return { account, shareBps: share };
  });
}

async function waitForBlock(number) {
  while ((await app.signer.provider.getBlockNumber()) < number) await new Promise((ok) => setTimeout(ok, 500));
}

async function publish(form) {
  // said at once (before anything is awaited), so an earlier outcome is never read as this one's
  status("pending", "Publish: reading the files…");
  const field = (name) => form.elements.namedItem(name);
  const files = [...field("files").files];
  if (!files.length) throw new Error("choose the files to publish");
  const uploads = await Promise.all(files.map(async (f) => ({
    // a folder chosen whole names its files under the folder: the dataset holds what is inside it
    path: f.webkitRelativePath ? f.webkitRelativePath.split("/").slice(1).join("/") : f.name,
    data: base64(await f.arrayBuffer()) })));
  status("pending", "Publish: checking the files and computing their CIDs…");
  const prepared = await postJson("/api/publish/prepare", {
    publisher: app.account, files: uploads, name: field("name").value.trim(), description: field("description").value.trim(),
    license: field("license").value.trim(), commons: field("commons").value.trim(),
    contributors: parseContributors(field("contributors").value),
    parents: field("parents").value.split(",").map((p) => p.trim()).filter(Boolean), ancestorBps: field("ancestorBps").value.trim() || "0" });
  if (prepared.error) throw new Error(prepared.error);
  const nft = app.contracts.DatasetNFT;
  const salt = hexlify(crypto.getRandomValues(new Uint8Array(32)));
  const commitment = await nft.commitmentOf(0, prepared.params, app.account, salt);
  const committed = await send("Publish (1/2, commit)", () => nft.commit(commitment), { refresh: false });
  if (!committed) return;
  // the reveal must come at least minCommitAge blocks after the commit: a chain that mines only
  // on transactions mines the reveal itself in the next block, so its gas is not estimated early
  const revealable = committed.blockNumber + prepared.minCommitAge;
  const local = LOCAL_CHAINS.includes(app.config.chainId) && prepared.minCommitAge === 1;
  if (!local) {
    status("pending", `Publish: waiting for block ${revealable} to reveal…`);
    await waitForBlock(revealable);
  }
  const overrides = local ? { gasLimit: 2_000_000n } : {};
  const revealed = await send("Publish (2/2, reveal)", () => nft.publish(prepared.params, salt, withAccessList("registry", overrides)), { refresh: false });
  if (!revealed) return;
  const pinned = await postJson("/api/publish/pin", { content: prepared.content });
  if (pinned.error) throw new Error(`published as dataset ${prepared.datasetId}, but pinning failed: ${pinned.error}`);
  status("confirmed", `Publish: dataset ${prepared.datasetId} published in block ${revealed.blockNumber} (content ${prepared.content})`);
  await waitIndexed(revealed.blockNumber);
  location.hash = `#/dataset/${prepared.datasetId}`;
}

export async function renderPublish() {
  const page = $("explorer-page");
  if (!app.account) {
    page.replaceChildren(el("h2", { text: "Publish a dataset" }), el("p", { text: "Connect a wallet to publish." }));
    page.dataset.ready = "publish";
    return;
  }
  const input = (name, attributes = {}) => el("input", { id: `publish-${name}`, name, ...attributes });
  const form = el("form", { id: "publish-form" },
    el("label", { text: "Files " }, input("files", { type: "file", multiple: "" })),
    el("label", { text: "Name " }, input("name", { size: 30 })),
    el("label", { text: "Description " }, input("description", { size: 40 })),
    el("label", { text: "Licence (SPDX) " }, input("license", { value: "CC-BY-4.0", size: 12 })),
    el("label", { text: "Commons " }, input("commons", { placeholder: "KE/education", size: 14 })),
    el("label", { text: "Contributors (ADDRESS=BPS, one per line) " },
       el("textarea", { id: "publish-contributors", name: "contributors", rows: 3, cols: 60, text: `${app.account}=10000` })),
    el("label", { text: "Parents (dataset ids, comma-separated) " }, input("parents", { size: 30 })),
    el("label", { text: "Share for the parents (bps) " }, input("ancestorBps", { value: "0", size: 6 })),
    el("button", { id: "publish-go", type: "submit", text: "Publish" }));
  form.onsubmit = (event) => { event.preventDefault(); guarded(() => publish(form))(); };
  page.replaceChildren(el("h2", { text: "Publish a dataset" }),
    el("p", { text: "The server computes the CIDs exactly as `commons dataset publish` does; your wallet signs the commit and the reveal." }),
    form, el("p", {}, "Or from the command line: ", el("code", { text: "commons dataset publish DIR --license … --commons … --contributor ADDR=BPS" })),
    el("p", {}, link("#/explore", "← all datasets")));
  page.dataset.ready = "publish";
}
