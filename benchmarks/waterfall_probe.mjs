// one-off: the requests of one page load, with their start and end (ms from navigation)
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, startStack } from "../dapp/tests/harness.mjs";
const datasets = Number(process.argv[2] || 200);
const stack = await startStack({ anvilArgs: ["--accounts", "20"] });
try {
  const seeded = JSON.parse(execFileSync(join(ROOT, ".venv", "bin", "python"), [join(ROOT, "benchmarks", "seed_chain.py"),
    "--rpc", stack.rpcUrl, "--deployment", join(stack.work, "deployments", "31337.json"),
    "--datasets", String(datasets), "--payments", String(datasets * 2)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
  const head = await stack.node.getBlockNumber();
  for (;;) {
    const s = await (await fetch(stack.appUrl + "api/explorer/status")).json();
    if (s.synced >= head) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const pages = { wallet: "", explore: "#/explore", dataset: `#/dataset/${seeded.ids[9]}`,
                  contributor: `#/contributor/${seeded.people[0]}`, proposals: "#/proposals" };
  for (const [name, path] of Object.entries(pages)) {
    for (let i = 0; i < 3; i++) {
      const context = await stack.browser.newContext();
      await context.addInitScript(() => {
        new MutationObserver(() => {
          if (document.body?.dataset.ready === "true" && window.__readyAt == null) window.__readyAt = performance.now();
        }).observe(document, { attributes: true, subtree: true });
      });
      const page = await context.newPage();
      await page.goto(stack.appUrl + path);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      if (i < 2) { await context.close(); continue; }
      const info = await page.evaluate(() => ({ ready: window.__readyAt,
        nav: performance.getEntriesByType("navigation").map((e) => [e.responseEnd, e.domInteractive, e.domContentLoadedEventEnd]),
        res: performance.getEntriesByType("resource").map((e) => [e.name.replace(location.origin, ""), Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize]) }));
      console.log(name, "ready", Math.round(info.ready), "nav", info.nav[0].map(Math.round).join("/"));
      for (const r of info.res) console.log("   ", r.join("  "));
      await context.close();
    }
  }
} finally { await stack.stop(); }
