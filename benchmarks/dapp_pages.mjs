// How long each page of the dApp takes to be ready (drawn, with every read it makes done) in
// headless Chromium when the commons holds 1,000 datasets (3 contributors each) and 2,000 payments,
// served by `commons dapp` from its index. Goal (issue 20): every page under 1 s. Times are the
// page's own (performance.now() when <body data-ready> turns true, from navigation start; for a
// connection, from the click), not Playwright's polling, which adds 100-400 ms.
// `node benchmarks/dapp_pages.mjs [--datasets N] [--json] [--probe]` prints the figures (median of 5
// loads); with --probe, each page's requests once more (path, start and end in ms from navigation,
// bytes): where a page's time goes.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, startStack } from "../dapp/tests/harness.mjs";

const argv = process.argv.slice(2);
const datasets = Number(argv[argv.indexOf("--datasets") + 1] || 1000) || 1000;
const asJson = argv.includes("--json");
const probe = argv.includes("--probe");
const say = (...a) => (asJson ? console.error : console.log)(...a);

const stack = await startStack({ anvilArgs: ["--accounts", "20"] });
// every page records the moment it is ready, in its own clock
const READY_PROBE = () => {
  new MutationObserver(() => {
    if (document.body?.dataset.ready === "true" && window.__readyAt == null) window.__readyAt = performance.now();
  }).observe(document, { attributes: true, subtree: true });
};
try {
  const started = Date.now();
  const seeded = JSON.parse(execFileSync(join(ROOT, ".venv", "bin", "python"), [join(ROOT, "benchmarks", "seed_chain.py"),
    "--rpc", stack.rpcUrl, "--deployment", join(stack.work, "deployments", "31337.json"),
    "--datasets", String(datasets), "--payments", String(datasets * 2)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
  say(`seeded ${datasets} datasets and ${datasets * 2} payments in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // let the dApp's follower read them all before measuring
  const head = await stack.node.getBlockNumber();
  for (;;) {
    const s = await (await fetch(stack.appUrl + "api/explorer/status")).json();
    if (s.synced >= head) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const person = seeded.people[0];
  const pages = { wallet: "", explore: "#/explore", dataset: `#/dataset/${seeded.ids[9]}`,
                  contributor: `#/contributor/${person}`, proposals: "#/proposals" };
  const result = { datasets };
  for (const [name, path] of Object.entries(pages)) {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const context = await stack.browser.newContext();
      await context.addInitScript(READY_PROBE);
      const page = await context.newPage();
      await page.goto(stack.appUrl + path);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      times.push(Math.round(await page.evaluate(() => window.__readyAt)));
      await context.close();
    }
    // and once connected (the wallet page then reads the account's share, claimable and licence per row)
    const connected = await stack.pageAs(person, { path });
    await connected.evaluate(READY_PROBE);
    await connected.evaluate(() => { window.__readyAt = null; document.body.dataset.ready = ""; });
    const clickedAt = await connected.evaluate(() => performance.now());
    await connected.click("#connect");
    await connected.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
    const withWallet = Math.round((await connected.evaluate(() => window.__readyAt)) - clickedAt);
    await connected.context().close();
    if (probe) {
      const context = await stack.browser.newContext();
      await context.addInitScript(READY_PROBE);
      const page = await context.newPage();
      await page.goto(stack.appUrl + path);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      const seen = await page.evaluate(() => ({ ready: window.__readyAt, requests: performance.getEntriesByType("resource")
        .map((e) => [e.name.replace(location.origin, "").slice(0, 60), Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize]) }));
      say(`${name} (probe: ready at ${Math.round(seen.ready)} ms)`);
      for (const request of seen.requests) say(`    ${request.join(" ")}`);
      await context.close();
    }
    times.sort((a, b) => a - b);
    result[`${name}_ready_ms`] = times[2];
    result[`${name}_connected_ready_ms`] = withWallet;
    say(`${name.padEnd(12)} ready in ${times[2]} ms (median of 5), connected ${withWallet} ms`);
  }
  if (asJson) console.log(JSON.stringify(result));
} finally {
  await stack.stop();
}
