// End-to-end tests of the contributor dApp in headless Chromium (Debian's), driven by
// playwright-core, against Anvil with the suite deployed by `commons deploy` and served by
// `commons dapp`. A test EIP-1193 wallet injected into the page forwards requests to the node's
// unlocked development accounts (eth_sendTransaction, eth_signTypedData_v4).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ContractFactory, parseEther } from "ethers";
import { SHOTS, artifact, startStack, waitFor } from "./harness.mjs";

let stack, node, accounts, testToken, commons, contract, pageAs, settled, work;

before(async () => {
  // a test ERC-20 the suite allow-lists at deployment, so the page shows and claims token royalties
  stack = await startStack({ deployArgs: async (s) => {
    const [tokenAbi, tokenCode] = artifact("MockERC20");
    const token = await new ContractFactory(tokenAbi, "0x" + tokenCode, await s.node.getSigner(s.accounts[0]))
      .deploy("Test Dollar", "TUSD");
    testToken = await (await token.waitForDeployment()).getAddress();
    await (await token.mint(s.accounts[6], parseEther("100"))).wait();
    // account 0 verifies identities: a verified contributor votes in the contributors' house
    return ["--allow-token", testToken, "--verifier", s.accounts[0]];
  }, afterDeploy: async (s) => {
    // a factory and a commons it launched on the same chain: the page can pick it
    s.commons("deploy", "--factory", "--deployments", join(s.work, "deployments"));
    s.commons("commons", "create", "GH/fisheries", "--deployments", join(s.work, "deployments"));
  } });
  ({ node, accounts, commons, contract, pageAs, settled, work } = stack);
});

after(async () => {
  await stack?.stop();
});

test("register gaslessly: the wallet signs EIP-712, the relayer pays", async () => {
  const page = await pageAs(accounts[1]);
  const before = await node.getBalance(accounts[1]);
  await page.fill("#profile-name", "Amina");
  await page.fill("#profile-community", "KE/education");
  await page.click("#register-gasless");
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  assert.equal(await contract("ContributorRegistry").isRegistered(accounts[1]), true);
  assert.equal(await node.getBalance(accounts[1]), before, "the contributor paid no gas");
  await page.waitForSelector("#profile-state[data-registered=true]");
  await page.screenshot({ path: join(SHOTS, "register.png"), fullPage: true });
});

test("a revert shows the decoded custom error", async () => {
  const page = await pageAs(accounts[1]);
  await page.fill("#profile-name", "Amina again");
  await page.fill("#profile-community", "KE/education");
  await page.click("#register-direct");
  const result = await settled(page);
  assert.equal(result.state, "failed");
  assert.match(result.text, /ContributorRegistryAlreadyRegistered\(0x[0-9a-fA-F]{40}\)/);
  await page.screenshot({ path: join(SHOTS, "revert.png"), fullPage: true });
});

test("a rejected signature is handled", async () => {
  const page = await pageAs(accounts[3], { rejectSignatures: true });
  await page.fill("#profile-name", "Chebet");
  await page.fill("#profile-community", "KE/education");
  await page.click("#register-gasless");
  const result = await settled(page);
  assert.equal(result.state, "failed");
  assert.match(result.text, /rejected/);
});

let datasetId;
test("publish through the CLI, then see the dataset in the page", async () => {
  commons("contributor", "register", "--name", "Baraka", "--community", "KE/education", "--account", "2");
  const dir = join(work, "data");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "counties.csv"), "code,county\n047,Nairobi\n");
  const out = JSON.parse(commons("dataset", "publish", dir, "--license", "CC0-1.0", "--commons", "KE/education",
    "--contributor", `${accounts[1]}=6000`, "--contributor", `${accounts[2]}=4000`, "--account", "1",
    "--name", "Nairobi county", "--json"));
  datasetId = out.dataset;
  const page = await pageAs(accounts[1]);
  const row = page.locator(`#datasets tr[data-id="${datasetId}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Nairobi county/);
  assert.match(await row.textContent(), new RegExp(out.content));
  // content links go to this server's own verified /ipfs/, not a public gateway
  const href = await row.locator("td.cid a").first().getAttribute("href");
  assert.equal(href, `/ipfs/${out.content}`);
  const file = await page.evaluate(async (url) => (await fetch(url)).text(), `${href}/counties.csv`);
  assert.equal(file, "code,county\n047,Nairobi\n");
  await page.screenshot({ path: join(SHOTS, "datasets.png"), fullPage: true });
});

test("pay royalties in ETH and an ERC-20, claim both in the page, the balances change on-chain", async () => {
  commons("royalties", "pay", datasetId, "1", "--account", "6");
  commons("royalties", "pay", datasetId, "10", "--token", testToken, "--account", "6");
  const vault = contract("RoyaltyVault");
  const token = contract("MockERC20", testToken);
  const owed = await vault.claimable(datasetId, "0x0000000000000000000000000000000000000000", accounts[1]);
  assert.equal(owed, parseEther("0.6"));
  assert.equal(await vault.claimable(datasetId, testToken, accounts[1]), parseEther("6"));
  const tokensBefore = await token.balanceOf(accounts[1]);
  const page = await pageAs(accounts[1]);
  // the page writes the token's amounts in its units, which the server read for it
  assert.equal(await page.textContent(`#datasets tr[data-id="${datasetId}"] td.claimable`), "0.6 ETH, 6.0 TUSD");
  const config = await page.evaluate(() => fetch("/api/config").then((r) => r.json()));
  assert.deepEqual(config.tokenUnits, { [testToken]: { decimals: 18, symbol: "TUSD" } });
  // raw eth_getBalance: ethers' provider may answer "latest" from a short-lived cache
  const balance = async () => BigInt(await node.send("eth_getBalance", [accounts[1], "latest"]));
  const before = await balance();
  await page.click(`#datasets tr[data-id="${datasetId}"] button.claim`);
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await waitFor(async () => (await vault.claimable(datasetId, "0x0000000000000000000000000000000000000000",
    accounts[1], { blockTag: "latest" })) === 0n, "the claim on-chain", 15_000);
  const after = await balance();
  assert.ok(after > before && after - before <= owed, `balance moved by ${after - before}`);
  assert.equal(await token.balanceOf(accounts[1], { blockTag: "latest" }) - tokensBefore, parseEther("6"));
  assert.equal(await vault.claimable(datasetId, testToken, accounts[1], { blockTag: "latest" }), 0n);
  await page.screenshot({ path: join(SHOTS, "claim.png"), fullPage: true });
});

test("consent to being named in a dataset from the page: the chain records it, the button goes", async () => {
  const rights = contract("DatasetRights");
  assert.equal(await rights.hasConsented(datasetId, accounts[2]), false);
  const page = await pageAs(accounts[2]);
  const button = `#datasets tr[data-id="${datasetId}"] button.consent`;
  await page.click(button);
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await waitFor(async () => rights.hasConsented(datasetId, accounts[2], { blockTag: "latest" }), "the consent on-chain",
    15_000);
  const again = await pageAs(accounts[2]);  // ready once every row is drawn
  assert.equal(await again.locator(`#datasets tr[data-id="${datasetId}"]`).count(), 1);
  assert.equal(await again.locator(button).count(), 0);
});

test("claim gaslessly: the relayer sends claimFor, the contributor receives all of it and pays no gas", async () => {
  commons("royalties", "pay", datasetId, "1", "--account", "6");
  const vault = contract("RoyaltyVault");
  const owed = await vault.claimable(datasetId, "0x0000000000000000000000000000000000000000", accounts[2]);
  assert.ok(owed > 0n);
  const page = await pageAs(accounts[2]);
  const balance = async () => BigInt(await node.send("eth_getBalance", [accounts[2], "latest"]));
  const before = await balance();
  await page.click(`#datasets tr[data-id="${datasetId}"] button.claim-gasless`);
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  assert.match(result.text, /you paid no gas/);
  assert.equal(await balance() - before, owed);  // to the wei: the relayer paid the gas
});

test("collect marketplace royalties sent to the dataset's ERC-2981 receiver, in an ERC-20, in the page", async () => {
  const vault = contract("RoyaltyVault");
  const receiver = await vault.royaltyReceiverOf(datasetId);
  const token = contract("MockERC20", testToken).connect(await node.getSigner(accounts[6]));
  await (await token.transfer(receiver, parseEther("5"))).wait();  // a marketplace pays in its sale currency
  const owedBefore = await vault.claimable(datasetId, testToken, accounts[2]);
  const page = await pageAs(accounts[2]);
  await page.click(`#datasets tr[data-id="${datasetId}"] button.collect`);
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await waitFor(async () => (await token.balanceOf(receiver, { blockTag: "latest" })) === 0n, "the collect on-chain", 15_000);
  assert.equal(await vault.claimable(datasetId, testToken, accounts[2], { blockTag: "latest" }) - owedBefore, parseEther("2"));
});

test("delegate and vote on a proposal", async () => {
  const page = await pageAs(accounts[0]);
  await page.fill("#delegate-to", accounts[0]);
  await page.click("#delegate");
  assert.equal((await settled(page)).state, "confirmed");
  const proposal = commons("gov", "propose", "--accept", datasetId, "--reward", "100", "--account", "0")
    .trim().split("\n").pop().split(" ").pop();
  await node.send("anvil_mine", ["0x2"]);
  await page.reload();
  // the button acts once the page has set it up (a click before that did nothing: seen in CI
  // with the two cores busy), and connecting draws the page again: wait for both
  await page.waitForSelector("body[data-ready=true]");
  await page.evaluate(() => { document.body.dataset.ready = ""; });
  await page.click("#connect");
  await page.waitForSelector("body[data-ready=true]");
  const vote = page.locator(`#proposals tr[data-id="${proposal}"] button.vote-for`);
  await vote.waitFor();
  // the account's own delegation in words, its votes with separators (as the CLI prints amounts)
  await page.waitForFunction(() => document.getElementById("delegatee")?.textContent === "yourself");
  assert.match(await page.textContent("#votes"), /^\d{1,3}(,\d{3})+\.\d+$/);
  await vote.click();
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  const [, forVotes] = await contract("CommonsGovernor").proposalVotes(proposal);
  assert.ok(forVotes > 0n);
  await page.waitForFunction((id) => document.querySelector(`#proposals tr[data-id="${id}"] td.for`)?.textContent !== "0.0", proposal);
  await page.screenshot({ path: join(SHOTS, "governance.png"), fullPage: true });
});

test("vote by signature: the wallet signs a ballot, the relayer pays", async () => {
  const proposal = commons("gov", "propose", "--accept", datasetId, "--description", "second ballot", "--account", "0")
    .trim().split("\n").pop().split(" ").pop();
  await node.send("anvil_mine", ["0x2"]);
  const page = await pageAs(accounts[0]);
  const before = await node.getBalance(accounts[0]);
  const button = page.locator(`#proposals tr[data-id="${proposal}"] button.sign-against`);
  await button.waitFor();
  await button.click();
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  assert.match(result.text, /you paid no gas/);
  const governor = contract("CommonsGovernor");
  assert.equal(await governor.hasVoted(proposal, accounts[0]), true);
  const [againstVotes] = await governor.proposalVotes(proposal);
  assert.ok(againstVotes > 0n);
  assert.equal(await node.getBalance(accounts[0]), before);
});

test("vote in the contributors' house: refused with the reason for an unverified contributor, counted for a verified one", async () => {
  commons("contributor", "register", "--name", "Chebet", "--community", "KE/education", "--account", "3");
  commons("contributor", "verify", accounts[3], "--claim", "identity", "--account", "0");
  const proposal = commons("gov", "propose", "--accept", datasetId, "--description", "both houses", "--house", "both",
                           "--account", "3").trim().split("\n").pop().split(" ").pop();
  await node.send("anvil_mine", ["0x2"]);
  const governor = contract("ContributorsGovernor");
  const stranger = await pageAs(accounts[2]);  // Baraka: registered, never verified
  const refused = stranger.locator(`#proposals tr[data-id="${proposal}"] button.house-vote-for`);
  await refused.waitFor();
  await refused.click();
  const no = await settled(stranger);
  assert.equal(no.state, "failed", no.text);
  assert.match(no.text, /no vote in the contributors' house/);
  assert.equal(await governor.hasVoted(proposal, accounts[2]), false);
  const member = await pageAs(accounts[3]);
  const vote = member.locator(`#proposals tr[data-id="${proposal}"] button.house-vote-for`);
  await vote.waitFor();
  await vote.click();
  const yes = await settled(member);
  assert.equal(yes.state, "confirmed", yes.text);
  const [, forVotes] = await governor.proposalVotes(proposal);
  assert.equal(forVotes, 1n);  // one contributor, one vote
});

test("buy a licence in the page: the licensee holds it, the contributors earn", async () => {
  const nft = contract("DatasetNFT").connect(await node.getSigner(accounts[0]));  // the bootstrap curator
  await (await nft.curate(datasetId, 2)).wait();
  commons("license", "offer", datasetId, "--price", "0.01", "--days", "30", "--account", "1");
  const licenses = contract("LicenseManager");
  const vault = contract("RoyaltyVault");
  const owedBefore = await vault.claimable(datasetId, "0x0000000000000000000000000000000000000000", accounts[2]);
  assert.equal(await licenses.hasValidLicense(accounts[5], datasetId), false);
  const page = await pageAs(accounts[5]);
  // an account that never delegated is its own delegate: said in words, not as its address
  assert.equal((await contract("CommonsToken").delegates(accounts[5])).toLowerCase(), accounts[5].toLowerCase());
  await page.waitForFunction(() => document.getElementById("delegatee")?.textContent === "yourself");
  await page.click(`#datasets tr[data-id="${datasetId}"] button.buy`);
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  await waitFor(() => licenses.hasValidLicense(accounts[5], datasetId, { blockTag: "latest" }), "the licence on-chain", 15_000);
  const owedAfter = await vault.claimable(datasetId, "0x0000000000000000000000000000000000000000", accounts[2],
    { blockTag: "latest" });
  // accounts[2] holds 40% of what the licence paid into the dataset's pool (after any protocol fee)
  assert.ok(owedAfter > owedBefore && owedAfter - owedBefore <= parseEther("0.004"), `owed moved by ${owedAfter - owedBefore}`);
  await page.screenshot({ path: join(SHOTS, "licence.png"), fullPage: true });
});

test("buy a licence priced in an ERC-20: the page shows the terms, approves, then buys; expiry shown", async () => {
  commons("license", "offer", datasetId, "--price", "2", "--token", testToken, "--days", "7", "--account", "1");
  const licenses = contract("LicenseManager");
  assert.equal(await licenses.hasValidLicense(accounts[6], datasetId), false);
  const page = await pageAs(accounts[6]);
  const cell = `#datasets tr[data-id="${datasetId}"] td.licence`;
  // the table is drawn again once the wallet connects: wait for the account's own licence state
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes("yours:"), cell);
  assert.equal(await page.$eval(cell, (el) => el.textContent), "2.0 TUSD, 7 days; yours: none");
  await page.click(`#datasets tr[data-id="${datasetId}"] button.buy`);
  await page.waitForFunction(() => {
    const el = document.getElementById("status");
    return el.dataset.state === "failed" || (el.dataset.state === "confirmed" && el.textContent.startsWith("Buy licence"));
  }, null, { timeout: 60_000 });
  const result = await page.$eval("#status", (el) => ({ state: el.dataset.state, text: el.textContent }));
  assert.equal(result.state, "confirmed", result.text);
  assert.equal(await licenses.hasValidLicense(accounts[6], datasetId, { blockTag: "latest" }), true);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes("yours: valid until"), cell);
  await page.screenshot({ path: join(SHOTS, "licence-erc20.png"), fullPage: true });
});

test("update the profile of a registered contributor", async () => {
  const registry = contract("ContributorRegistry");
  const [oldDigest] = await registry.contributorOf(accounts[1]);
  const page = await pageAs(accounts[1]);
  // the form starts from the profile on record (the index read it from IPFS), not from blank fields
  await page.waitForFunction(() => document.getElementById("profile-name").value === "Amina", null, { timeout: 20_000 });
  assert.equal(await page.inputValue("#profile-community"), "KE/education");
  await page.fill("#profile-name", "Amina W.");
  await page.fill("#profile-community", "KE/health");
  await page.click("#update-profile");
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  const [newDigest] = await registry.contributorOf(accounts[1]);
  assert.notEqual(newDigest, oldDigest);
  await page.screenshot({ path: join(SHOTS, "profile.png"), fullPage: true });
});

test("a foreign web page cannot spend the node's accounts through the dApp server", async () => {
  // the attack: any page open in the operator's browser posts to the local dApp server
  const { createServer: httpServer } = await import("node:http");
  const evil = httpServer((req, res) => { res.setHeader("content-type", "text/html"); res.end("<p>cat pictures</p>"); });
  await new Promise((ok) => evil.listen(0, "127.0.0.1", ok));
  try {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${evil.address().port}/`);
    const victim = accounts[0];
    const before = await node.getBalance(accounts[8]);
    const outcome = await page.evaluate(async ({ appUrl, victim, to }) => {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction",
        params: [{ from: victim, to, value: "0xde0b6b3a7640000" }] });
      const results = [];
      for (const headers of [{ "content-type": "text/plain" }, { "content-type": "application/json" }]) {
        try {
          const reply = await fetch(appUrl + "rpc", { method: "POST", mode: "no-cors", headers, body });
          results.push(`sent:${reply.type}`);
        } catch (err) { results.push(`blocked:${err.message}`); }
      }
      return results;
    }, { appUrl: stack.appUrl, victim, to: accounts[8] });
    assert.equal(outcome.length, 2);
    await new Promise((r) => setTimeout(r, 1000)); // a forwarded transaction would be mined by now
    assert.equal(await node.getBalance(accounts[8]), before, `nothing moved (${outcome.join(", ")})`);
    await context.close();
  } finally {
    evil.close();
  }
});

// ------------------------------------------------------------------ wallets as they are found today
// EIP-6963 wallets injected into the page: each announces itself on request and forwards what it
// does not answer itself to the node as `account`. `chainId` is the chain it starts on, `knows`
// the chains it can switch to, `refuseSwitch` a user who says no.
async function pageWithWallets(wallets) {
  const context = await stack.browser.newContext();
  await context.exposeFunction("__walletRpc", async (body) => (await fetch(stack.rpcUrl, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json());
  await context.addInitScript((wallets) => {
    window.__calls = [];
    const providers = wallets.map((w) => {
      let chain = w.chainId;
      const known = new Set(w.knows);
      const provider = {
        on() {}, removeListener() {},
        async request({ method, params }) {
          window.__calls.push({ wallet: w.name, method, params });
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [w.account];
          if (method === "eth_chainId") return chain;
          if (method === "wallet_switchEthereumChain") {
            if (w.refuseSwitch) { const e = new Error("User rejected the request."); e.code = 4001; throw e; }
            if (!known.has(params[0].chainId)) { const e = new Error("Unrecognized chain ID"); e.code = 4902; throw e; }
            chain = params[0].chainId;
            return null;
          }
          if (method === "wallet_addEthereumChain") { known.add(params[0].chainId); chain = params[0].chainId; return null; }
          const json = await window.__walletRpc({ jsonrpc: "2.0", id: Date.now(), method, params });
          if (json.error) { const e = new Error(json.error.message); e.code = json.error.code; e.data = json.error.data; throw e; }
          return json.result;
        },
      };
      return Object.freeze({ info: { uuid: crypto.randomUUID(), name: w.name, rdns: w.rdns,
                                     icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E" }, provider });
    });
    const announce = () => providers.forEach((detail) =>
      window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail })));
    window.addEventListener("eip6963:requestProvider", announce);
  }, wallets);
  const page = await context.newPage();
  await page.goto(stack.appUrl);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

const ANVIL = "0x7a69";

test("the page says which commons and chain it acts on", async () => {
  const page = await pageWithWallets([]);
  assert.equal(await page.textContent("#commons-line"), "Acting on the directly deployed suite on Anvil (local) (chain 31337)");
});

test("two announced wallets: the user picks one, the page connects with it", async () => {
  const page = await pageWithWallets([
    { name: "Alpha Wallet", rdns: "org.example.alpha", account: accounts[3], chainId: ANVIL, knows: [ANVIL] },
    { name: "Beta Wallet", rdns: "org.example.beta", account: accounts[4], chainId: ANVIL, knows: [ANVIL] }]);
  await page.click("#connect");
  await page.waitForSelector("#wallets button[data-rdns='org.example.beta']");
  assert.deepEqual(await page.$$eval("#wallets button", (bs) => bs.map((b) => b.textContent)), ["Alpha Wallet", "Beta Wallet"]);
  await page.click("#wallets button[data-rdns='org.example.beta']");
  await page.waitForFunction((a) => document.getElementById("account").textContent.toLowerCase() === a.toLowerCase(),
    accounts[4]);
  const used = await page.evaluate(() => [...new Set(window.__calls.map((c) => c.wallet))]);
  assert.deepEqual(used, ["Beta Wallet"], "only the picked wallet was asked anything");
  await page.screenshot({ path: join(SHOTS, "wallet-picker.png") });
});

test("a wallet that lacks the chain is asked to add it, then connects", async () => {
  const page = await pageWithWallets([{ name: "Fresh Wallet", rdns: "org.example.fresh", account: accounts[5],
                                        chainId: "0x1", knows: ["0x1"] }]);
  await page.click("#connect");
  await page.waitForFunction((a) => document.getElementById("account").textContent.toLowerCase() === a.toLowerCase(),
    accounts[5]);
  const added = await page.evaluate(() => window.__calls.find((c) => c.method === "wallet_addEthereumChain")?.params[0]);
  assert.equal(added.chainId, ANVIL);
  assert.deepEqual(added.rpcUrls, [stack.rpcUrl]);
  assert.equal(added.chainName, "Anvil (local) (chain 31337)");
});

test("a wallet left on another chain gets a plain message, nothing is sent", async () => {
  const page = await pageWithWallets([{ name: "Stubborn Wallet", rdns: "org.example.stubborn", account: accounts[6],
                                        chainId: "0x1", knows: ["0x1", ANVIL], refuseSwitch: true }]);
  await page.click("#connect");
  await page.waitForSelector("#status[data-state=failed]");
  assert.equal(await page.textContent("#status"), "Your wallet is on chain 1; this commons is on Anvil (local) (chain 31337) " +
    "(the switch was refused): switch the wallet to Anvil (local) (chain 31337) and connect again.");
  assert.equal(await page.textContent("#account"), "");
  const sent = await page.evaluate(() => window.__calls.filter((c) => c.method.startsWith("eth_send")).length);
  assert.equal(sent, 0);
});

test("a factory-made commons picked in the page: the page acts on it, a gasless registration lands in its registry", async () => {
  const fisheries = stack.deployment.commons["GH/fisheries"].addresses;
  const page = await pageAs(accounts[7]);
  await page.waitForSelector("#commons-picker:not([hidden])");
  const options = await page.$$eval("#commons-picker option", (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options, [["suite", "the directly deployed suite"], ["GH/fisheries", "GH/fisheries (wallet pages only)"]]);
  await Promise.all([page.waitForNavigation(), page.selectOption("#commons-picker", "GH/fisheries")]);
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.textContent("#commons-line"), "Acting on GH/fisheries on Anvil (local) (chain 31337)");
  await page.evaluate(() => { document.body.dataset.ready = ""; });
  await page.click("#connect");
  await page.waitForSelector("body[data-ready=true]");
  await page.fill("#profile-name", "Kofi");
  await page.fill("#profile-community", "GH/fisheries");
  await page.click("#register-gasless");
  const result = await settled(page);
  assert.equal(result.state, "confirmed", result.text);
  assert.equal(await contract("ContributorRegistry", fisheries.ContributorRegistry).isRegistered(accounts[7]), true);
  assert.equal(await contract("ContributorRegistry").isRegistered(accounts[7]), false, "not in the suite's registry");
  const explored = await page.evaluate(() => fetch("/api/explorer/status").then((r) => r.json()));
  assert.match(explored.error, /the explorer follows the directly deployed suite only/);
  await page.screenshot({ path: join(SHOTS, "commons-picker.png") });
});
