// The explorer pages in headless Chromium: browse and search, a dataset page (files, lineage graph,
// attestations, licence, royalties), a contributor page with its claim button, and proposals whose
// tallies change while the page is open. Everything shown comes from the index `commons dapp`
// follows; what it changes is checked on-chain.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ROOT, SHOTS, freePort, startStack, waitFor } from "./harness.mjs";

const NATIVE = "0x0000000000000000000000000000000000000000";
const DAY = "[A-Z][a-z]{2} \\d{1,2}, \\d{4}";  // a date as an English reader's browser writes it (Dec 6, 2026)
let stack, accounts, commons, rivers, cleaned, lakes;

function publish(name, files, ...options) {
  const dir = join(stack.work, name.replace(/\W+/g, "-"));
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return JSON.parse(commons("dataset", "publish", dir, "--name", name, "--json", ...options));
}

// Opens `path` as `account` and waits until the explorer drew `ready` (browse, dataset...).
async function explore(account, path, ready) {
  const page = await stack.pageAs(account, { path });
  await page.waitForSelector(`#explorer-page[data-ready=${ready}]`);
  return page;
}

before(async () => {
  stack = await startStack({ deployArgs: async (s) => ["--validator", s.accounts[4]] });
  ({ accounts, commons } = stack);
  commons("contributor", "register", "--name", "Wanjiru", "--community", "KE/water", "--account", "1");
  commons("contributor", "register", "--name", "Otieno", "--community", "KE/water", "--account", "2");
  rivers = publish("Rivers of Kenya", { "rivers.csv": "river,length_km\nTana,1000\nAthi,390\n", "README.md": "Rivers\n" },
    "--license", "CC-BY-4.0", "--commons", "KE/water", "--contributor", `${accounts[1]}=6000`,
    "--contributor", `${accounts[2]}=4000`, "--account", "1");
  cleaned = publish("Rivers, cleaned", { "rivers-clean.csv": "river,length_km\nTana,1000\n" },
    "--license", "CC-BY-4.0", "--commons", "KE/water", "--contributor", `${accounts[2]}=10000`,
    "--parent", rivers.dataset, "--ancestor-bps", "2000", "--account", "2");
  lakes = publish("Lakes of the Rift", { "lakes.csv": "lake,area_km2\nNaivasha,139\n" },
    "--license", "MIT", "--commons", "KE/lakes", "--contributor", `${accounts[1]}=10000`, "--account", "1");
  commons("dataset", "attest", cleaned.dataset, "--kind", "quality", "--score", "9100", "--account", "4");
  commons("license", "offer", rivers.dataset, "--price", "0.01", "--days", "30", "--preset", "research-only",
    "--attribution", "Water Resources Authority", "--account", "1");
  commons("royalties", "pay", rivers.dataset, "1", "--account", "6");
  commons("royalties", "pay", cleaned.dataset, "0.5", "--account", "6");
});

after(async () => {
  await stack?.stop();
});

test("browse the commons and search by name, commons, licence, contributor and CID", async () => {
  const page = await explore(accounts[5], "#/explore", "browse");
  const ids = () => page.$$eval("#explore-results tbody tr", (rows) => rows.map((r) => r.dataset.id));
  assert.deepEqual(await ids(), [lakes.dataset, cleaned.dataset, rivers.dataset]);  // newest first
  assert.match(await page.textContent(".commons-list"), /KE\/water \(2\).*KE\/lakes \(1\)/);
  const search = async (fill) => {
    await page.evaluate(() => { document.getElementById("explorer-page").dataset.ready = ""; });
    await fill();
    await page.click("#search-go");
    await page.waitForSelector("#explorer-page[data-ready=browse]");
    return ids();
  };
  assert.deepEqual(await search(() => page.fill("#search-q", "rift")), [lakes.dataset]);
  assert.deepEqual(await search(async () => { await page.fill("#search-q", "");
    await page.selectOption("#search-commons", "KE/water"); }), [cleaned.dataset, rivers.dataset]);
  assert.deepEqual(await search(async () => { await page.selectOption("#search-commons", "");
    await page.fill("#search-license", "mit"); }), [lakes.dataset]);
  assert.deepEqual(await search(async () => { await page.fill("#search-license", "");
    await page.fill("#search-contributor", accounts[2]); }), [cleaned.dataset, rivers.dataset]);
  assert.deepEqual(await search(async () => { await page.fill("#search-contributor", "");
    await page.fill("#search-q", rivers.content); }), [rivers.dataset]);
  await page.click(`#explore-results tr[data-id="${rivers.dataset}"] a.dataset-link`);
  await page.waitForSelector("#explorer-page[data-ready=dataset]");
  assert.equal(await page.textContent("#dataset-name"), "Rivers of Kenya");
  await page.goto(stack.appUrl + "#/explore");
  await page.waitForSelector("#explorer-page[data-ready=browse]");
  await page.screenshot({ path: join(SHOTS, "explore.png"), fullPage: true });
});

test("a dataset page shows its files, lineage graph, attestations, licence and royalties", async () => {
  const page = await explore(accounts[5], `#/dataset/${cleaned.dataset}`, "dataset");
  assert.equal(await page.textContent("#dataset-name"), "Rivers, cleaned");
  const files = await page.$$eval("#dataset-files a.file-link", (links) => links.map((a) => [a.textContent, a.getAttribute("href")]));
  assert.deepEqual(files, [["rivers-clean.csv", `/ipfs/${cleaned.content}/rivers-clean.csv`]]);
  const file = await page.evaluate(async (url) => (await fetch(url)).text(), files[0][1]);
  assert.equal(file, "river,length_km\nTana,1000\n");
  // the graph: the parent above, an edge from it to this dataset
  assert.equal(await page.locator(`#lineage-graph line.edge[data-parent="${rivers.dataset}"][data-child="${cleaned.dataset}"]`).count(), 1);
  const attestation = await page.$$eval("#dataset-attestations tbody tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.equal(attestation.length, 1);
  assert.deepEqual(attestation[0].slice(1, 3), ["quality", "91%"]);
  assert.match(await page.textContent("#dataset-median"), /quality: 91%/);
  assert.equal(await page.textContent("#dataset-royalties"), "Paid in total: 0.5 ETH");
  // the licence chain: its own licence (no terms document) and what its parent's terms permit
  assert.equal(await page.textContent("#dataset-terms .own-terms .terms-none"),
    "No terms document: the licence alone says what may be done.");
  const parentTerms = await page.$$eval(`#dataset-terms .ancestor-terms[data-id="${rivers.dataset}"] li`, (items) => items.map((li) => li.textContent));
  assert.deepEqual(parentTerms, ["terms: Research only (non-commercial)",
    "permits: derivatives, training AI models and text and data mining", "prohibits: commercial use and redistribution",
    "requires: credit: Water Resources Authority"]);
  assert.match(await page.textContent(`#dataset-terms .ancestor-terms[data-id="${rivers.dataset}"] .terms-document`),
    /^Terms document: bafkrei[a-z2-7]{52}$/);
  await page.screenshot({ path: join(SHOTS, "explore-dataset.png"), fullPage: true });
  // the parent's page, reached through the graph: its licence terms, and royalties from its child
  await page.click(`#lineage-graph a.node[data-id="${rivers.dataset}"]`);
  await page.waitForFunction(() => document.getElementById("dataset-name")?.textContent === "Rivers of Kenya");
  assert.equal(await page.textContent("#dataset-licence"), "0.01 ETH, 30 days · 0 licences sold");
  assert.equal(await page.textContent("#dataset-royalties"), "Paid in total: 1.0 ETH");
  assert.equal(await page.locator("#dataset-payments tbody tr").count(), 1);
  // contributors by their profile names (from the profiles in IPFS), with their shares
  const contributors = await page.$$eval("#dataset-contributors tbody tr",
    (rows) => Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent])));
  assert.deepEqual(contributors, { Wanjiru: "60%", Otieno: "40%" });
});

test("each page's first reads leave as the page is parsed, before the app's script runs, and are used once", async () => {
  const status = "/api/explorer/status";
  const pages = {
    "": ["/api/datasets?offset=0&limit=20", "/api/proposals"],
    "#/explore": ["/api/explorer/datasets?limit=25&offset=0", "/api/explorer/commons", status],
    [`#/dataset/${rivers.dataset}`]: [...["card", "trained", "training", "licence"].map((r) => `/api/${r}/${rivers.dataset}`),
      `/api/explorer/datasets/${rivers.dataset}`, `/api/explorer/datasets/${rivers.dataset}/lineage`, status],
    [`#/contributor/${accounts[1]}`]: [`/api/explorer/contributors/${accounts[1]}?offset=0&limit=50`, status],
    "#/proposals": ["/api/explorer/proposals", status],
  };
  for (const [path, first] of Object.entries(pages)) {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.appUrl + path);
    await page.waitForFunction(() => document.body.dataset.ready === "true" && Array.isArray(window.__firstReadsLeft));
    const [seen, left, parsed] = await page.evaluate(() => [performance.getEntriesByType("resource").map((e) => (
      { url: e.name.replace(location.origin, ""), start: e.startTime })), window.__firstReadsLeft,
      performance.getEntriesByType("navigation")[0].domInteractive]);
    assert.deepEqual(left, [], `${path}: every first read was taken by the page`);
    for (const url of first) {
      const asked = seen.filter((e) => e.url === url);
      // asked for while the page was parsed (the app's module script runs only after), and taken
      // by the page: not asked for again
      assert.equal(asked.length, 1, `${path}: ${url} asked for once`);
      assert.ok(asked[0].start <= parsed, `${path}: ${url} asked for early`);
    }
    await context.close();
  }
  // a page drawn later (a hash change, a refresh after a transaction) asks afresh
  const page = await explore(accounts[5], "#/proposals", "proposals");
  await page.evaluate(() => { location.hash = "#/explore"; });
  await page.waitForSelector("#explorer-page[data-ready=browse]");
  const commonsReads = await page.evaluate(() => performance.getEntriesByType("resource").filter((e) =>
    e.name.endsWith("/api/explorer/commons")).length);
  assert.equal(commonsReads, 1);
  await page.context().close();
});

test("a contributor page draws its earnings a page at a time and the rest on demand", async () => {
  const page = await explore(accounts[5], "#/explore", "browse");
  const all = await (await fetch(`${stack.appUrl}api/explorer/contributors/${accounts[2]}`)).json();
  assert.equal(all.earningsCount, 2);
  // the page asks for 50 rows at a time; here for one, so that two rows make two pages
  await page.route(/\/api\/explorer\/contributors\//, (route) =>
    route.continue({ url: route.request().url().replace(/limit=\d+/, "limit=1") }));
  await page.evaluate((who) => { location.hash = `#/contributor/${who}`; }, accounts[2]);
  await page.waitForSelector("#explorer-page[data-ready=contributor]");
  const rows = () => page.$$eval("#contributor-earnings tbody tr", (trs) => trs.map((r) => [r.dataset.id, r.dataset.token]));
  assert.deepEqual(await rows(), [[all.earnings[0].dataset, all.earnings[0].token]]);
  assert.equal(await page.textContent("#earnings-more"), "Show 1 more (1 not shown)");
  await page.click("#earnings-more");
  await page.waitForFunction(() => document.querySelectorAll("#contributor-earnings tbody tr").length === 2);
  assert.deepEqual(await rows(), all.earnings.map((e) => [e.dataset, e.token]));
  assert.equal(await page.isHidden("#earnings-more"), true);
  // what is owed is every row's, whatever the page shows: a stranger is told to connect to claim it
  assert.ok(all.owed.datasets.length > 0);
  assert.equal(await page.textContent("#claim-hint"), "Connect this account's wallet to claim.");
  await page.context().close();
});

test("a contributor owed by more datasets than one claim takes is offered them a batch at a time", async () => {
  const page = await explore(accounts[1], "#/explore", "browse");
  // the server names one transaction's worth (100) and how many owe: here 150 more than it named
  await page.route(/\/api\/explorer\/contributors\//, async (route) => {
    const reply = await route.fetch();
    const body = await reply.json();
    body.owed.count = body.owed.datasets.length + 150;
    await route.fulfill({ response: reply, json: body });
  });
  await page.evaluate((who) => { location.hash = `#/contributor/${who}`; }, accounts[1]);
  await page.waitForSelector("#explorer-page[data-ready=contributor]");
  const named = (await (await fetch(`${stack.appUrl}api/explorer/contributors/${accounts[1]}`)).json()).owed.datasets.length;
  assert.ok(named > 0);
  assert.equal(await page.textContent("#claim-all"), `Claim from ${named} of the ${named + 150} datasets that owe you`);
  await page.context().close();
});

test("a contributor page shows earnings per dataset and token, and its claim button pays on-chain", async () => {
  const vault = stack.contract("RoyaltyVault");
  const owed = await vault.claimable(rivers.dataset, NATIVE, accounts[1]);
  assert.ok(owed > 0n);
  const stranger = await explore(accounts[5], `#/contributor/${accounts[1]}`, "contributor");
  assert.equal(await stranger.locator("#claim-all").count(), 0);
  assert.equal(await stranger.textContent("#claim-hint"), "Connect this account's wallet to claim.");
  const page = await explore(accounts[1], `#/contributor/${accounts[1]}`, "contributor");
  assert.equal(await page.textContent("#contributor-name"), "Wanjiru");
  assert.equal(await page.textContent("#contributor-state"), "Registered contributor of KE/water");
  const cell = (id) => page.textContent(`#contributor-earnings tr[data-id="${id}"] td.claimable`);
  assert.equal(await cell(rivers.dataset), "0.6 ETH");
  assert.equal(await page.textContent(`#contributor-totals tr[data-token="${NATIVE}"] td.claimable`), "0.6 ETH");
  assert.equal(await page.textContent(`#contributor-totals tr[data-token="${NATIVE}"] td.token`), "ETH");  // not 0x000…0
  await page.click("#claim-all");
  const result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await waitFor(async () => (await vault.claimable(rivers.dataset, NATIVE, accounts[1], { blockTag: "latest" })) === 0n,
    "the claim on-chain", 15_000);
  // the page is drawn again once the index has read the claim's block
  await page.waitForFunction((id) => document.querySelector(`#contributor-earnings tr[data-id="${id}"] td.claimable`)
    ?.textContent === "0.0 ETH", rivers.dataset, { timeout: 20_000 });
  assert.equal(await page.locator("#claim-all").count(), 0);
  assert.equal(await page.textContent(`#contributor-totals tr[data-token="${NATIVE}"] td.claimable`), "0.0 ETH");
  await page.screenshot({ path: join(SHOTS, "explore-contributor.png"), fullPage: true });
});

test("the proposals page's tallies change while it is open", async () => {
  commons("gov", "delegate", accounts[0], "--account", "0");
  const id = commons("gov", "propose", "--accept", lakes.dataset, "--description", "Accept the lakes", "--account", "0")
    .trim().split("\n").pop().split(" ").pop();
  await stack.node.send("anvil_mine", ["0x2"]);
  const page = await explore(accounts[5], "#/proposals", "proposals");
  const row = `#explore-proposals tr[data-id="${id}"]`;
  await page.waitForFunction((sel) => document.querySelector(`${sel} td.state`)?.textContent === "Active", row, { timeout: 20_000 });
  assert.equal(await page.textContent(`${row} td.for`), "0.0");
  commons("gov", "vote", id, "for", "--account", "0");  // from the CLI, not the page: no reload follows
  await page.waitForFunction((sel) => document.querySelector(`${sel} td.voters`)?.textContent === "1", row, { timeout: 20_000 });
  const [, forVotes] = await stack.contract("CommonsGovernor").proposalVotes(id);
  assert.ok(forVotes > 0n);
  assert.notEqual(await page.textContent(`${row} td.for`), "0.0");
  // the votes over time: one point so far, for the "for" side
  const chart = page.locator(`${row} svg.votes-chart`);
  assert.match(await chart.getAttribute("aria-label"),
    new RegExp(`^on ${DAY}: for ${await page.textContent(`${row} td.for`)}, against 0\\.0, abstain 0\\.0$`));
  assert.equal(await chart.locator("path").count(), 3);
  await page.screenshot({ path: join(SHOTS, "explore-proposals.png"), fullPage: true });
});

test("download and verify in the browser: each file checked against the manifest, a tampered file refused", async () => {
  const page = await explore(accounts[5], `#/dataset/${rivers.dataset}`, "dataset");
  await page.click("#verify-download");
  await page.waitForSelector("#verify-result[data-state]", { state: "attached", timeout: 10_000 }).catch(async (err) => {
    throw new Error(`${err.message}; the page shows: ${await page.textContent("#explorer-page")}`);
  });
  assert.equal(await page.getAttribute("#verify-result", "data-state"), "verified", await page.textContent("#verify-result"));
  const files = await page.$$eval("#verified-files a", (links) => links.map((a) => [a.textContent, a.getAttribute("download")]));
  assert.deepEqual(files.sort(), [["README.md", "README.md"], ["rivers.csv", "rivers.csv"]]);
  const saved = await Promise.all([page.waitForEvent("download"), page.click("#verified-files a >> text=rivers.csv")]);
  const text = await new Promise((ok) => { let s = ""; saved[0].createReadStream().then((r) => r.on("data", (c) => { s += c; }).on("end", () => ok(s))); });
  assert.equal(text, "river,length_km\nTana,1000\nAthi,390\n");
  // a server (or gateway) that changes one file's bytes: the page refuses, naming the file
  await page.route("**/rivers.csv", (route) => route.fulfill({ status: 200, body: "river,length_km\nTana,9999\nAthi,390\n" }));
  await page.click("#verify-download");
  await page.waitForSelector("#verify-result[data-state=failed]");
  assert.match(await page.textContent("#verify-result"), /^Not verified: rivers\.csv does not match: sha256 /);
});

test("pay royalties, settle the parents' share and offer licences from a dataset page", async () => {
  const vault = stack.contract("RoyaltyVault");
  const page = await explore(accounts[2], `#/dataset/${cleaned.dataset}`, "dataset");
  // still Proposed: the page says when licences can be bought instead of offering a button that reverts
  assert.equal(await page.textContent("#licence-note"), "Licences are sold once the commons' curators accept this dataset.");
  assert.equal(await page.locator("#buy").count(), 0);
  await page.fill("#pay-amount", "0.25");
  await page.click("#pay");
  let result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await page.waitForFunction(() => document.getElementById("dataset-royalties")?.textContent === "Paid in total: 0.75 ETH",
    null, { timeout: 20_000 });
  const pending = await vault.pendingAncestorOf(cleaned.dataset, NATIVE, { blockTag: "latest" });
  assert.equal(pending, 150_000_000_000_000_000n);  // 20% of 0.5 + 0.25 ETH
  await page.evaluate(() => { document.getElementById("explorer-page").dataset.ready = ""; });
  await page.click(`button.settle[data-token="${NATIVE}"]`);
  result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  assert.equal(await vault.pendingAncestorOf(cleaned.dataset, NATIVE, { blockTag: "latest" }), 0n);
  await page.waitForSelector("#explorer-page[data-ready=dataset]");
  assert.equal(await page.locator("button.settle").count(), 0);
  await page.fill("#offer-price", "0.02");
  await page.fill("#offer-days", "7");
  // terms the parent's forbid (commercial use of research-only data) are refused before anything is sent
  await page.selectOption("#offer-preset", "no-ai-training");
  await page.click("#offer");
  result = await stack.settled(page);
  assert.equal(result.state, "failed");
  assert.equal(result.text, `terms refused: these terms are incompatible with parent ${rivers.dataset}: CC-BY-4.0 ` +
    "with its terms (Research only (non-commercial)) forbids commercial use, but the child's CC-BY-4.0 with its " +
    "terms (No AI training) permits it");
  await page.selectOption("#offer-preset", "research-only");
  await page.fill("#offer-attribution", "Otieno, after the Water Resources Authority");
  await page.click("#offer");
  result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  assert.match(result.text, /^Offer licences under bafkrei[a-z2-7]+: confirmed in block \d+/);
  const terms = await stack.contract("LicenseManager").termsOf(cleaned.dataset, { blockTag: "latest" });
  assert.equal(terms.price, 20_000_000_000_000_000n);
  assert.equal(terms.duration, 7n * 86400n);
  assert.notEqual(terms.termsDigest, "0x" + "00".repeat(32));  // the document pinned by the server, bound on-chain
  await page.waitForFunction(() => document.querySelector("#dataset-terms .own-terms .terms-summary")?.textContent
    .includes("credit: Otieno, after the Water Resources Authority"), null, { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById("dataset-licence")?.textContent.startsWith("0.02 ETH, 7 days"),
    null, { timeout: 20_000 });
  // bad input is one line in the status, and nothing is sent
  await page.fill("#offer-days", "a week");
  await page.click("#offer");
  result = await stack.settled(page);
  assert.equal(result.state, "failed");
  assert.equal(result.text, 'days must be a whole number, not "a week"');
  await page.screenshot({ path: join(SHOTS, "explore-dataset-actions.png"), fullPage: true });
});

test("propose, vote, queue and execute from the proposals page: the dataset is accepted on-chain", async () => {
  const page = await explore(accounts[0], "#/proposals", "proposals");
  await page.fill("#propose-dataset", cleaned.dataset);
  await page.click("#propose");
  let result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  const row = () => page.locator("#explore-proposals tbody tr", { hasText: `Accept dataset ${cleaned.dataset}` });
  await row().waitFor({ timeout: 20_000 });
  await stack.node.send("anvil_mine", ["0x2"]);
  await row().locator("button.vote-for").waitFor({ timeout: 20_000 });
  await row().locator("button.vote-for").click();
  result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await stack.node.send("anvil_mine", ["0x16"]);  // past the 20-block vote
  await row().locator("button.queue").waitFor({ timeout: 20_000 });
  await row().locator("button.queue").click();
  result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await stack.node.send("evm_increaseTime", [61]);  // the dev timelock's 60 s
  await stack.node.send("anvil_mine", ["0x1"]);
  // the list is redrawn every 1.5 s: the button says Execute once the chain's clock passed the ETA
  await row().locator("button.execute", { hasText: /^Execute$/ }).waitFor({ timeout: 20_000 });
  await row().locator("button.execute").click();
  result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  assert.equal(await stack.contract("DatasetNFT").statusOf(cleaned.dataset, { blockTag: "latest" }), 2n);  // Accepted
  await page.waitForFunction((id) => [...document.querySelectorAll("#explore-proposals tbody tr")].some(
    (r) => r.textContent.includes(`Accept dataset ${id}`) && r.querySelector("td.state").textContent === "Executed"),
    cleaned.dataset, { timeout: 20_000 });
});

test("publish from the browser: the wallet commits and reveals; the CLI verifies the same files against the chain", async () => {
  const page = await explore(accounts[1], "#/publish", "publish");
  await page.waitForSelector("#publish-form");
  const files = { "wells.csv": "well,depth_m\nKibera,80\nKaren,120\n", "NOTES.md": "Measured in 2026\n" };
  await page.setInputFiles("#publish-files", Object.entries(files).map(([name, text]) => ({
    name, mimeType: "text/plain", buffer: Buffer.from(text) })));
  await page.fill("#publish-name", "Wells of Nairobi");
  await page.fill("#publish-names", "sw=Visima vya Nairobi\nfr=Puits de Nairobi");
  await page.fill("#publish-commons", "KE/water");
  await page.fill("#publish-license", "CC0-1.0");
  await page.fill("#publish-parents", rivers.dataset);
  await page.fill("#publish-ancestorBps", "1000");
  // shares that do not add up: refused in one line before anything is sent
  await page.fill("#publish-contributors", `${accounts[1]}=6000\n${accounts[2]}=3000`);
  await page.click("#publish-go");
  let result = await stack.settled(page);
  assert.equal(result.state, "failed");
  assert.equal(result.text, "contributor shares sum to 9000 bps; they must sum to exactly 10000");
  await page.fill("#publish-contributors", `${accounts[1]}=7000\n${accounts[2]}=3000`);
  // a licence the parent's terms forbid (commercial use of research-only data): refused, naming the parent
  await page.click("#publish-go");
  result = await stack.settled(page);
  assert.equal(result.state, "failed");
  assert.equal(result.text, `the licence is incompatible with parent ${rivers.dataset}: CC-BY-4.0 with its terms ` +
    "(Research only (non-commercial)) forbids commercial use, but the child's CC0-1.0 permits it");
  await page.fill("#publish-license", "CC-BY-NC-4.0");
  await page.click("#publish-go");
  await page.waitForFunction(() => /^Publish: dataset \d+ published/.test(document.getElementById("status").textContent)
    || document.getElementById("status").dataset.state === "failed", null, { timeout: 60_000 });
  const text = await page.textContent("#status");
  assert.match(text, /^Publish: dataset \d+ published in block \d+ \(content bafy/);
  const id = text.match(/dataset (\d+)/)[1];
  await page.waitForFunction(() => document.getElementById("dataset-name")?.textContent === "Wells of Nairobi", null, { timeout: 20_000 });
  assert.equal(await stack.contract("DatasetNFT").exists(id), true);
  // the same files on disk: the CLI finds the content and manifest on-chain match them
  const dir = join(stack.work, "wells");
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  assert.match(commons("dataset", "verify", id, "--path", dir), /^ok: /m);
  // its names in other languages went into the manifest (the card reads them back)
  const card = await (await fetch(`${stack.appUrl}api/card/${id}`)).json();
  assert.deepEqual(card.names, { sw: "Visima vya Nairobi", fr: "Puits de Nairobi" });
  const graph = await page.locator(`#lineage-graph line.edge[data-parent="${rivers.dataset}"][data-child="${id}"]`).count();
  assert.equal(graph, 1);
  await page.screenshot({ path: join(SHOTS, "explore-published.png"), fullPage: true });
});

test("a dataset page explains its attested quality: the scorer's metrics and the overlap with an earlier dataset", async () => {
  const scored = commons("dataset", "score", cleaned.dataset, "--pin");
  const evidence = scored.trim().split("\n").pop().replace("results pinned: ", "");
  commons("dataset", "attest", cleaned.dataset, "--from-score", evidence, "--account", "4");
  await waitFor(async () => (await (await fetch(`${stack.appUrl}api/explorer/datasets/${cleaned.dataset}`)).json()).quality,
    "the index to read the attestations");
  const page = await explore(accounts[5], `#/dataset/${cleaned.dataset}`, "dataset");
  const text = await page.textContent("#dataset-quality");
  assert.match(text, /^Scorer results: \d+ \/ 10000 \(integrity 100\.0%, ownership 100\.0%, uniqueness \d+\.\d%, validity 100\.0%\)/);
  // its one row is one of the rows (and README line) of the dataset it derives from
  assert.equal(await page.getAttribute("#dataset-quality a.overlap", "href"), `#/dataset/${rivers.dataset}`);
  assert.match(await page.textContent("#dataset-quality ul.explanations"), new RegExp(`rows overlap \\d+% with dataset ${rivers.dataset}`));
  await page.screenshot({ path: join(SHOTS, "explore-quality.png"), fullPage: true });
});

test("a private dataset: refused without a licence, then bought and downloaded decrypted through its gateway", async () => {
  commons("gateway", "keygen", join(stack.work, "gateway.key"));
  const port = await freePort();
  const gateway = `http://127.0.0.1:${port}`;
  stack.spawnCommons("gateway", "serve", "--key", join(stack.work, "gateway.key"), "--db", join(stack.work, "gateway.sqlite"),
    "--port", String(port), "--cors", stack.appUrl.replace(/\/$/, ""), "--deployments", join(stack.work, "deployments"));
  await waitFor(() => fetch(`${gateway}/v1/key`).then((r) => r.ok), "commons gateway");
  const clinic = publish("Clinic visits", { "visits.csv": "clinic,visits\nKisumu,120\nNakuru,95\n" }, "--private",
    "--gateway", gateway, "--license", "CC-BY-NC-4.0", "--commons", "KE/health", "--contributor", `${accounts[1]}=10000`,
    "--account", "1");
  commons("dataset", "curate", clinic.dataset, "accept", "--account", "0");
  commons("license", "offer", clinic.dataset, "--price", "0.01", "--days", "30", "--account", "1");
  await waitFor(async () => (await (await fetch(`${stack.appUrl}api/explorer/datasets/${clinic.dataset}`)).json()).licenseTerms
    ?.some((t) => t.active), "the index to read the licence offer");
  const page = await explore(accounts[7], `#/dataset/${clinic.dataset}`, "dataset");
  assert.match(await page.textContent("#private-note"), new RegExp(`^Private dataset: its files are encrypted; ${gateway} serves`));
  const download = async () => {
    await page.evaluate(() => { delete document.getElementById("verify-result").dataset.state; });
    await page.click("#verify-download");
    await page.waitForSelector("#verify-result[data-state]", { state: "attached", timeout: 30_000 });
    return [await page.getAttribute("#verify-result", "data-state"), await page.textContent("#verify-result")];
  };
  const [refused, why] = await download();
  assert.equal(refused, "failed");
  assert.match(why, new RegExp(`^Not verified: the gateway refused: ${accounts[7]} holds no valid licence for dataset ${clinic.dataset}`, "i"));
  // buying draws the page again once the index has the purchase: wait for that drawing, not the first
  await page.evaluate(() => { document.getElementById("explorer-page").dataset.ready = ""; });
  await page.click("#buy");
  const bought = await stack.settled(page);
  assert.equal(bought.state, "confirmed", bought.text);
  await page.waitForSelector("#explorer-page[data-ready=dataset]", { state: "attached", timeout: 30_000 });
  const [state, text] = await download();
  assert.equal(state, "verified", text);
  assert.match(text, /^Decrypted by the gateway for your licence; all 1 file match the plaintext sha256/);
  const saved = await Promise.all([page.waitForEvent("download"), page.click("#verified-files a >> text=visits.csv")]);
  const body = await new Promise((ok) => { let s = ""; saved[0].createReadStream().then((r) => r.on("data", (c) => { s += c; }).on("end", () => ok(s))); });
  assert.equal(body, "clinic,visits\nKisumu,120\nNakuru,95\n");
  await page.screenshot({ path: join(SHOTS, "explore-private.png"), fullPage: true });
});

test("after buying, the dataset page shows the licence held and offers to extend it", async () => {
  const page = await explore(accounts[5], `#/dataset/${cleaned.dataset}`, "dataset");  // accepted by the vote above
  assert.equal(await page.textContent("#buy"), "Buy licence");
  assert.equal(await page.locator("#your-licence").count(), 0);
  await page.evaluate(() => { document.getElementById("explorer-page").dataset.ready = ""; });
  await page.click("#buy");
  const result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  // what the buyer agreed to is said with the purchase: the terms the offer above bound
  assert.match(result.text, /^Buy licence at 0\.02 ETH under terms: Research only \(non-commercial\); permits: .*credit: Otieno, after the Water Resources Authority.*\(document bafkrei[a-z2-7]+\): confirmed in block \d+/);
  await page.waitForSelector("#explorer-page[data-ready=dataset]");
  await page.waitForFunction(() => document.getElementById("your-licence")?.textContent.startsWith("Your licence: valid until "),
    null, { timeout: 20_000 });
  assert.match(await page.textContent("#your-licence"), /^Your licence: valid until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\.$/);
  assert.equal(await page.textContent("#buy"), "Extend licence");
});

test("an unknown route says so and lists the pages; the connect button names the account", async () => {
  const page = await explore(accounts[5], "#/datasets/12", "error");
  assert.equal(await page.textContent("#no-route"), "No page at #/datasets/12: the pages are #/ (wallet), #/explore, " +
    "#/dataset/ID, #/contributor/ADDRESS, #/proposals and #/publish.");
  await page.waitForFunction(() => document.getElementById("connect").textContent.startsWith("Connected: "));
  assert.match(await page.textContent("#connect"), new RegExp(`^Connected: ${accounts[5].slice(0, 6)}…${accounts[5].slice(-4)} \\(`, "i"));
});

test("a dataset the index does not hold says so in one line", async () => {
  const page = await explore(accounts[5], "#/dataset/12345", "error");
  assert.equal(await page.textContent("#explorer-page p.error"),
    "dataset 12345 is not in the index (not published, burnt, or not synced yet)");
});

test("a dataset link (`commons dataset link ID`) opens its dataset here; a link to another commons says so", async () => {
  const link = commons("dataset", "link", rivers.dataset).trim();
  assert.match(link, new RegExp(`^opencommons:31337@\\d+/suite/.+#dataset=${rivers.dataset}$`));
  const page = await explore(accounts[5], "#/explore", "browse");
  await page.evaluate(() => { document.getElementById("explorer-page").dataset.ready = ""; });
  await page.fill("#search-q", link);
  await page.click("#search-go");
  await page.waitForSelector("#explorer-page[data-ready=dataset]");
  assert.equal(await page.textContent("#dataset-name"), "Rivers of Kenya");
  const nft = stack.deployment.addresses.DatasetNFT;
  const elsewhere = link.replace(nft, "0x" + "12".repeat(20));
  const other = await explore(accounts[5], `#/dataset/${encodeURIComponent(elsewhere)}`, "error");
  assert.match(await other.textContent("#explorer-page p.error"),
    /^This link is to a dataset of another commons \(chain 31337, its own contracts\): open it where that commons is served/);
});

test("a dataset page lists the models trained on it and pulls its share of one", async () => {
  // a training log as opencommons.training_run writes it; its root from OpenZeppelin's own tree
  const datasets = [{ id: rivers.dataset, weight: 600, content: rivers.content }, { id: lakes.dataset, weight: 400, content: lakes.content }];
  const tree = StandardMerkleTree.of(datasets.map((d) => [d.id, String(d.weight)]), ["uint256", "uint256"]);
  const log = { schema: "opencommons/training-run/v1", trainer: accounts[3], started: "2026-12-06T10:00:00Z",
    finished: "2026-12-06T11:00:00Z", weighting: "bytes read", totalWeight: "1000", merkleRoot: tree.root,
    leafTypes: ["uint256", "uint256"], model: { files: [] },
    datasets: datasets.map((d) => ({ ...d, generation: 0, manifest: null, rows: 0, bytes: d.weight, via: ["manual"] })) };
  const dir = join(stack.work, "river-model");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "weights.bin"), "weights");
  writeFileSync(join(stack.work, "run.json"), JSON.stringify(log));
  const register = () => JSON.parse(commons("model", "register", dir, "--run", join(stack.work, "run.json"), "--license",
    "CC-BY-NC-4.0", "--commons", "KE/water", "--contributor", `${accounts[1]}=10000`, "--json", "--account", "1"));
  // rivers' terms sell a licence: its trainer must hold one before the model is registered
  assert.throws(register, /the trainer 0x90F79bf6EB2c4f870365E785982E1f101E93b906 holds no valid licence to 1 dataset\(s\) whose terms sell one: .*nothing was published/);
  commons("dataset", "curate", rivers.dataset, "accept", "--account", "0");  // licences are sold once accepted
  commons("license", "buy", rivers.dataset, "--account", "3");
  const model = register();
  commons("royalties", "pay", model.dataset, "1", "--account", "6");
  commons("royalties", "settle", model.dataset, "--account", "6");  // 10% into the training pool
  const vault = stack.contract("RoyaltyVault");
  // recorded by the model's reveal, in one slot: the root's first 24 bytes and the total weight
  assert.deepEqual((await vault.trainingRecordOf(model.dataset, 0, { blockTag: "latest" })).map(String),
    [tree.root.slice(0, 50), "1000"]);
  const page = await explore(accounts[2], `#/dataset/${rivers.dataset}`, "dataset");
  const row = page.locator(`#dataset-models tr[data-model="${model.dataset}"]`);
  await row.waitFor({ timeout: 20_000 });
  assert.equal(await row.locator("td").nth(1).textContent(), "60% of its training data · pulled nothing · can pull 0.06 ETH");
  const before = await vault.poolOf(rivers.dataset, NATIVE, { blockTag: "latest" });
  await page.evaluate(() => { document.getElementById("explorer-page").dataset.ready = ""; });
  await row.locator("button.pull-training").click();
  const result = await stack.settled(page);
  assert.equal(result.state, "confirmed", result.text);
  const after = await vault.poolOf(rivers.dataset, NATIVE, { blockTag: "latest" });
  assert.equal(after.outstanding + after.carry - before.outstanding - before.carry, 60_000_000_000_000_000n);
  await page.waitForSelector("#explorer-page[data-ready=dataset]");
  await page.waitForFunction((m) => document.querySelector(`#dataset-models tr[data-model="${m}"] td:nth-child(2)`)
    ?.textContent.endsWith("pulled 0.06 ETH · can pull nothing"), model.dataset, { timeout: 20_000 });
  // the model joins the dataset's lineage graph, by a dotted edge
  assert.equal(await page.locator(`#lineage-graph line.edge.trained[data-child="${model.dataset}"]`).count(), 1);
  assert.equal(await page.textContent("p.legend"), "Solid: derived from · dashed: next version · dotted: a model trained on it");
  await page.screenshot({ path: join(SHOTS, "explore-trained-into.png"), fullPage: true });
  // the model's own page names what it learned from
  const modelPage = await explore(accounts[2], `#/dataset/${model.dataset}`, "dataset");
  assert.match(await modelPage.textContent("#model-training .model-record"),
    new RegExp(`^2 datasets, Merkle root ${tree.root.slice(0, 18)}… \\(bound on-chain\\) · pool 0\\.04 ETH · pulled 0\\.06 ETH$`));
  assert.deepEqual(await modelPage.$$eval("#model-datasets tbody tr", (rows) => rows.map((r) => r.textContent)),
    [`${rivers.dataset.slice(0, 10)}…60.00%`, `${lakes.dataset.slice(0, 10)}…40.00%`]);
});

test("a dataset's card is its README made safe; its own page carries its Croissant for search engines", async () => {
  const readme = ["# Rainfall stations", "", "Daily rainfall at **three** stations: [the data](rain.csv), "
    + "[above the content](../../api/config), [WMO](https://wmo.int/).", "",
    "<script>window.pwned = 1</script>", "", "[click](javascript:window.pwned=2) ![logo](logo.png) "
    + "![remote](https://evil.example/x.png) <img src=x onerror=\"window.pwned=3\">", "",
    "| station | mm |", "| --- | --: |", "| Nairobi | 12 |"].join("\n");
  const rain = publish("Rainfall stations", { "rain.csv": "station,mm\nNairobi,12\n", "README.md": readme, "logo.png": "png" },
    "--license", "CC-BY-4.0", "--commons", "KE/water", "--contributor", `${accounts[1]}=10000`, "--account", "1",
    "--name-in", "sw=Vituo vya mvua", "--description-in", "sw=Mvua ya kila siku");
  // a reader whose browser speaks Swahili sees its Swahili name, marked as such
  const swahili = await stack.pageAs(accounts[5], { path: `#/dataset/${rain.dataset}`, locale: "sw-KE" });
  await swahili.waitForSelector("#explorer-page[data-ready=dataset]");
  assert.equal(await swahili.textContent("#dataset-name"), "Vituo vya mvua");
  assert.equal(await swahili.getAttribute("#dataset-name", "lang"), "sw");
  assert.equal(await swahili.textContent("#dataset-description"), "Mvua ya kila siku");
  const page = await explore(accounts[5], `#/dataset/${rain.dataset}`, "dataset");
  await page.locator("#dataset-card h1").waitFor({ timeout: 20_000 });
  assert.equal(await page.textContent("#dataset-card h1"), "Rainfall stations");
  // links stay inside the content or go nowhere; the README's script is text, its image has no source
  assert.deepEqual(await page.$$eval("#dataset-card a", (as) => as.map((a) => [a.textContent, a.getAttribute("href")])),
    [["the data", `/ipfs/${rain.content}/rain.csv`], ["above the content", null], ["WMO", null]]);
  assert.deepEqual(await page.$$eval("#dataset-card img", (is) => is.map((i) => i.getAttribute("src"))),
    [`/ipfs/${rain.content}/logo.png`, null]);
  assert.match(await page.textContent("#dataset-card"), /<script>window\.pwned = 1<\/script>/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.textContent("#dataset-card td:last-child"), "12");
  assert.match(await page.textContent("pre.snippet code"), new RegExp(`opencommons\\.load_dataset\\("${rain.dataset}"`));
  // the whole content as a CAR, a trustless gateway's answer
  const car = await page.evaluate(async (href) => {
    const reply = await fetch(href);
    return { type: reply.headers.get("content-type"), size: (await reply.arrayBuffer()).byteLength };
  }, await page.getAttribute("#dataset-downloads a[href$='format=car']", "href"));
  assert.equal(car.type, "application/vnd.ipld.car");
  assert.ok(car.size > readme.length, `a CAR of ${car.size} bytes`);
  await page.screenshot({ path: join(SHOTS, "explore-dataset-card.png"), fullPage: true });
  // its own page: no script runs, the Croissant JSON-LD is embedded, and the sitemap lists it
  const own = await stack.browser.newPage();
  await own.goto(`${stack.appUrl}datasets/${rain.dataset}`);
  const described = JSON.parse(await own.textContent("script[type='application/ld+json']"));
  assert.equal(described.name, "Rainfall stations");
  assert.equal(described.url, `${stack.appUrl}datasets/${rain.dataset}`);
  assert.equal(await own.$$eval("script:not([type='application/ld+json'])", (s) => s.length), 0);
  assert.equal(await own.evaluate(() => window.pwned), undefined);
  assert.equal(await own.textContent("#card h1"), "Rainfall stations");
  await own.screenshot({ path: join(SHOTS, "dataset-own-page.png"), fullPage: true });
  await own.close();
  const map = await (await fetch(`${stack.appUrl}sitemap.xml`)).text();
  assert.ok(map.includes(`<loc>${stack.appUrl}datasets/${rain.dataset}</loc>`), map);
});

test("a dataset's viewer pages and searches its rows and says what each column holds (palmerpenguins)", async () => {
  const csv = readFileSync(execFileSync(join(ROOT, ".venv", "bin", "python"), ["-c",
    "from importlib.resources import files; print(files('palmerpenguins') / 'data' / 'penguins.csv')"],
  { encoding: "utf8" }).trim(), "utf8");
  const penguins = publish("Palmer penguins", { "penguins.csv": csv }, "--license", "CC0-1.0", "--commons", "AQ/ecology",
    "--contributor", `${accounts[2]}=10000`, "--account", "2");
  const page = await explore(accounts[5], `#/dataset/${penguins.dataset}`, "dataset");
  await page.waitForSelector("#dataset-viewer[data-ready=rows]", { timeout: 30_000 });
  const header = await page.$$eval("#viewer-table th", (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(header, csv.split("\n")[0].split(","));
  assert.equal(await page.$$eval("#viewer-table tbody tr", (rows) => rows.length), 10);
  assert.equal(await page.textContent("#viewer-table tbody tr:first-child td:first-child"), "Adelie");
  assert.equal((await page.textContent("#viewer-showing")).trim(), "rows 1–10 of 344");
  // what each column holds: types, the share missing, distinct values, a histogram or top values
  const stat = (column, i) => page.textContent(`#viewer-stats tr[data-column="${column}"] td:nth-child(${i})`);
  assert.equal(await stat("species", 2), "text");
  assert.equal(await stat("species", 4), "3");
  assert.equal(await stat("species", 5), "Adelie (152), Gentoo (124), Chinstrap (68)");
  assert.equal(await stat("bill_length_mm", 2), "number");
  assert.equal(await stat("bill_length_mm", 3), "0.6%");  // 2 of 344 missing
  assert.equal(await page.$$eval('#viewer-stats tr[data-column="bill_length_mm"] svg rect', (r) => r.length), 10);
  // paging and search
  await page.click("#viewer-next");
  await page.waitForFunction(() => document.getElementById("viewer-showing").textContent.includes("rows 11–20"));
  await page.fill("#viewer-search", "Chinstrap");
  await page.waitForFunction(() => document.getElementById("viewer-showing").textContent.includes("of 68 matching"));
  assert.equal(await page.textContent("#viewer-table tbody tr:first-child td:first-child"), "Chinstrap");
  assert.ok(await page.isDisabled("#viewer-prev"));
  await page.screenshot({ path: join(SHOTS, "explore-dataset-viewer.png"), fullPage: true });
});

test("every page passes axe-core's WCAG 2.2 AA checks, on a desktop and on a phone", async () => {
  const found = {};
  for (const [name, path, ready] of [["browse", "#/explore", "browse"], ["dataset", `#/dataset/${rivers.dataset}`, "dataset"],
    ["contributor", `#/contributor/${accounts[1]}`, "contributor"], ["proposals", "#/proposals", "proposals"]]) {
    const page = await explore(accounts[5], path, ready);
    found[name] = await stack.accessibility(page);
  }
  const wallet = await stack.pageAs(accounts[5]);
  found.wallet = await stack.accessibility(wallet);
  const context = await stack.browser.newContext({ bypassCSP: true });  // to inject axe into a page that runs no script
  const own = await context.newPage();
  await own.goto(`${stack.appUrl}datasets/${rivers.dataset}`);
  found.own = await stack.accessibility(own);
  await context.close();
  // on a phone: nothing wider than the screen (wide tables scroll inside their own box), still AA
  const wide = {};
  for (const [name, path, ready] of [["browse", "#/explore", "browse"], ["dataset", `#/dataset/${rivers.dataset}`, "dataset"],
    ["contributor", `#/contributor/${accounts[1]}`, "contributor"]]) {
    const phone = await stack.pageAs(accounts[5], { path, phone: true });
    await phone.waitForSelector(`#explorer-page[data-ready=${ready}]`);
    wide[name] = await phone.evaluate(() => Math.max(0, document.documentElement.scrollWidth - screen.width));
    found[`${name} (phone)`] = await stack.accessibility(phone);
    if (name === "dataset") await phone.screenshot({ path: join(SHOTS, "phone-dataset.png"), fullPage: true });
  }
  assert.deepEqual(wide, { browse: 0, dataset: 0, contributor: 0 });
  assert.deepEqual(found, { browse: [], dataset: [], contributor: [], proposals: [], wallet: [], own: [],
                            "browse (phone)": [], "dataset (phone)": [], "contributor (phone)": [] });
});

test("a dataset page plots what it was paid over time, per token", async () => {
  commons("royalties", "pay", lakes.dataset, "0.25", "--account", "6");
  commons("royalties", "pay", lakes.dataset, "0.5", "--account", "7");
  await waitFor(async () => (await (await fetch(`${stack.appUrl}api/explorer/datasets/${lakes.dataset}`)).json())
    .royaltySeries[NATIVE]?.length === 2, "the index to read both payments");
  const page = await explore(accounts[5], `#/dataset/${lakes.dataset}`, "dataset");
  const chart = page.locator(`svg.royalty-chart[data-token="${NATIVE}"]`);
  assert.equal(await page.textContent("#dataset-royalties"), "Paid in total: 0.75 ETH");
  assert.match(await page.textContent("figure.royalty-figure figcaption"), new RegExp(`^0\\.75 ETH paid in all, ${DAY} to ${DAY}$`));
  assert.match(await chart.getAttribute("aria-label"), new RegExp(`^0\\.75 ETH paid from ${DAY} to ${DAY}$`));
  assert.equal((await chart.locator("path").getAttribute("d")).split(" L").length, 5);  // the start, two steps of two
  // the dataset's only contributor sees what it earned over time on its own page, per token: the
  // index's two ways to the same figure (the running total of each payment's share, the vault's
  // accumulator less claims) agree
  const who = await (await fetch(`${stack.appUrl}api/explorer/contributors/${accounts[1]}`)).json();
  const points = who.earnedSeries[NATIVE];
  assert.equal(points.at(-1)[1], who.totals[NATIVE].earned);
  assert.ok(points.length >= 3, `${points.length} points`);  // rivers' first payment and the two into lakes at least
  const mine = await explore(accounts[1], `#/contributor/${accounts[1]}`, "contributor");
  const earned = mine.locator(`svg.royalty-chart[data-token="${NATIVE}"]`);
  assert.match(await earned.getAttribute("aria-label"), new RegExp(`^[\\d.,]+ ETH earned from ${DAY} to ${DAY}$`));
  await mine.screenshot({ path: join(SHOTS, "explore-contributor-earned.png"), fullPage: true });
});

test("the dApp speaks the reader's language: a Swahili browser's, or the one picked, kept after a reload", async () => {
  // a browser set to Swahili: the menus, headings and statuses are Swahili, the page says so
  const swahili = await stack.pageAs(accounts[5], { path: "#/explore", locale: "sw-KE" });
  await swahili.waitForSelector("#explorer-page[data-ready=browse]");
  assert.equal(await swahili.getAttribute("html", "lang"), "sw");
  assert.equal(await swahili.textContent("#nav-explore"), "Chunguza");
  assert.equal(await swahili.textContent("#explorer-page h2"), "Chunguza jumuiya");
  const { status } = await (await fetch(`${stack.appUrl}api/explorer/datasets/${rivers.dataset}`)).json();
  const words = (code) => JSON.parse(readFileSync(join(ROOT, "opencommons", "data", "locales", `${code}.json`), "utf8"));
  assert.equal(await swahili.textContent(`#explore-results tr[data-id="${rivers.dataset}"] td:nth-child(3)`),
    words("sw")[`status.${status}`]);
  assert.match(await swahili.textContent("#explore-total"), /^seti \d+ (za|ya) data/);
  assert.deepEqual(await stack.accessibility(swahili), []);
  await swahili.screenshot({ path: join(SHOTS, "explore-swahili.png"), fullPage: true });
  // an English browser picks French: the page is redrawn in French, and stays French after a reload
  const page = await explore(accounts[5], `#/dataset/${rivers.dataset}`, "dataset");
  assert.equal(await page.textContent("#nav-proposals"), "Proposals");
  await page.selectOption("#language-picker", "fr");
  await page.waitForFunction(() => document.getElementById("nav-proposals").textContent === "Propositions");
  await page.waitForSelector("#explorer-page[data-ready=dataset]");
  await page.waitForFunction((s) => document.querySelector("#dataset-facts td.status")?.textContent === s,
    words("fr")[`status.${status}`]);
  assert.equal(await page.getAttribute("html", "lang"), "fr");
  await page.reload();
  await page.waitForSelector("#explorer-page[data-ready=dataset]");
  assert.equal(await page.textContent("#nav-proposals"), "Propositions");
  assert.equal(await page.inputValue("#language-picker"), "fr");
  assert.match(await page.textContent("#dataset-licence"), /^[\d.]+ ETH, \d+ jours? · \d+ licences? vendues?$/);
  assert.deepEqual(await stack.accessibility(page), []);
  await page.screenshot({ path: join(SHOTS, "explore-dataset-french.png"), fullPage: true });
  // Portuguese too, on the wallet page: its fixed texts come from the same files
  await page.selectOption("#language-picker", "pt");
  await page.goto(`${stack.appUrl}#/`);
  await page.waitForFunction(() => document.querySelector("#gov-section h2")?.textContent === "Governação");
  assert.equal(await page.textContent("#connect"), "Conectar carteira");  // a reload disconnects
  assert.equal(await page.textContent("#register-direct"), "Registar (pagar gás)");
});
