// What the dApp's Chromium tests share: Anvil with the suite deployed by `commons deploy`, the app
// served by `commons dapp` (its explorer following the chain into a SQLite index), headless
// Chromium (Debian's) driven by playwright-core, and a test EIP-1193 wallet injected into each page
// that forwards requests to the node's unlocked development accounts.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { Contract, JsonRpcProvider } from "ethers";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const SHOTS = join(ROOT, "dapp", "tests", "artifacts");
const COMMONS = join(ROOT, ".venv", "bin", "commons");

export function freePort() {
  return new Promise((ok) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
}

export async function waitFor(check, what, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { if (await check()) return; } catch (_) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function artifact(name) {
  return JSON.parse(execFileSync(join(ROOT, ".venv", "bin", "python"), ["-c",
    `import json; from opencommons.chain.artifacts import load; a = load("${name}"); print(json.dumps([a.abi, a.bytecode]))`],
    { encoding: "utf8" }));
}

// Starts the chain, deploys (`deployArgs(stack)` may add `commons deploy` options once the node
// runs; `afterDeploy(stack)` runs before the dApp starts), serves the dApp and launches Chromium;
// `stack.stop()` ends them all.
export async function startStack({ deployArgs = async () => [], afterDeploy = async () => {}, anvilArgs = [] } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "oc-dapp-"));
  const stack = { work };
  const chainPort = await freePort();
  stack.rpcUrl = `http://127.0.0.1:${chainPort}`;
  const anvil = spawn(join(ROOT, "node_modules", ".bin", "anvil"), ["--port", String(chainPort), "--hardfork", "shanghai", "--silent",
    // its old states under the stack's folder, not ~/.foundry/anvil/tmp (which keeps a killed node's)
    "--cache-path", join(work, "anvil-cache"), ...anvilArgs]);
  const node = stack.node = new JsonRpcProvider(stack.rpcUrl);
  await waitFor(() => node.getBlockNumber().then(() => true), "anvil");
  stack.accounts = await node.send("eth_accounts", []);
  const env = { ...process.env, OPENCOMMONS_RPC: stack.rpcUrl, OPENCOMMONS_HOME: join(work, "home"),
                OPENCOMMONS_IPFS_HOME: join(work, "ipfs") };
  stack.commons = (...args) => execFileSync(COMMONS, args, { cwd: work, encoding: "utf8", env });
  // a long-running `commons ...` (a gateway...), ended with the stack
  const children = [];
  stack.spawnCommons = (...args) => {
    const child = spawn(COMMONS, args, { cwd: work, env });
    children.push(child);
    return child;
  };
  stack.commons("deploy", "--deployments", join(work, "deployments"), "--curator", stack.accounts[0],
                ...(await deployArgs(stack)));
  await afterDeploy(stack);
  stack.deployment = JSON.parse(readFileSync(join(work, "deployments", "31337.json"), "utf8"));
  stack.contract = (name, address = stack.deployment.addresses[name]) => new Contract(address, artifact(name)[0], node);
  const port = await freePort();
  stack.appUrl = `http://127.0.0.1:${port}/`;
  const dapp = spawn(COMMONS, ["dapp", "--port", String(port), "--deployments", join(work, "deployments"), "--relayer", "9",
                               "--db", join(work, "index.sqlite")], { cwd: work, env });
  await waitFor(() => fetch(stack.appUrl + "api/config").then((r) => r.ok), "commons dapp");
  const browser = stack.browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless",
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"] });
  stack.stop = async () => {
    await browser.close();
    for (const child of children) child.kill();
    dapp.kill();
    anvil.kill();
    await new Promise((done) => (anvil.exitCode !== null ? done() : anvil.once("exit", done)));
    rmSync(join(work, "anvil-cache"), { recursive: true, force: true });
  };

  // A page of the app at `path` with the test wallet of `account`, connected.
  stack.pageAs = async (account, { rejectSignatures = false, path = "", phone = false, locale } = {}) => {
    // `phone`: a phone's screen (390 x 844 CSS pixels, touch), as responsive layouts are checked;
    // `locale`: the browser's language (sw-KE...)
    const context = await browser.newContext({ ...(phone ? { viewport: { width: 390, height: 844 }, isMobile: true,
                                                              hasTouch: true, deviceScaleFactor: 2 } : {}),
                                               ...(locale ? { locale } : {}) });
    // Like a real wallet, the test wallet talks to its own node (here Anvil, from the test process),
    // never through the app's /rpc, which forwards reads only.
    await context.exposeFunction("__walletRpc", async (body) => (await fetch(stack.rpcUrl, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json());
    await context.addInitScript(({ account, rejectSignatures }) => {
      window.ethereum = {
        isOpenCommonsTestWallet: true,
        on() {}, removeListener() {},
        async request({ method, params }) {
          if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
          if (method === "wallet_switchEthereumChain") return null;
          if (rejectSignatures && method.startsWith("eth_signTypedData")) {
            const err = new Error("User rejected the request."); err.code = 4001; throw err;
          }
          const json = await window.__walletRpc({ jsonrpc: "2.0", id: Date.now(), method, params });
          if (json.error) { const err = new Error(json.error.message); err.code = json.error.code; err.data = json.error.data; throw err; }
          return json.result;
        },
      };
    }, { account, rejectSignatures });
    const page = await context.newPage();
    await page.goto(stack.appUrl + path);
    await page.waitForSelector("body[data-ready=true]");
    // connecting draws the page again: wait for that drawing, not the first one, to be done
    await page.evaluate(() => { document.body.dataset.ready = ""; });
    await page.click("#connect");
    await page.waitForFunction((a) => document.getElementById("account").textContent.toLowerCase() === a.toLowerCase(),
      account);
    await page.waitForSelector("body[data-ready=true]");
    return page;
  };

  // WCAG 2.2 A and AA violations axe-core finds on `page` as it is now (axe-core from npm,
  // injected into the page; a page whose CSP forbids scripts needs a context with bypassCSP).
  stack.accessibility = async (page) => {
    await page.addScriptTag({ path: join(ROOT, "node_modules", "axe-core", "axe.min.js") });
    return page.evaluate(async () => {
      const found = await window.axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
      return found.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    });
  };

  // The status line once a transaction confirmed or failed.
  stack.settled = async (page) => {
    await page.waitForSelector("#status[data-state=confirmed], #status[data-state=failed]", { timeout: 60_000 });
    return page.$eval("#status", (el) => ({ state: el.dataset.state, text: el.textContent }));
  };
  return stack;
}
