// The explorer's own amount formatting (no ethers on its pages) writes what ethers' formatUnits
// writes, on random amounts of random sizes and signs and every decimals a token may have.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { formatEther as ethersEther, formatUnits as ethersUnits } from "ethers";
import { formatEther, formatUnits } from "../src/units.js";

test("formatUnits and formatEther write what ethers writes", () => {
  const edges = [0n, 1n, 9n, 10n, 99n, 100n, 10n ** 18n, 10n ** 18n - 1n, 10n ** 18n + 1n, 6n * 10n ** 17n, (1n << 256n) - 1n];
  let compared = 0;
  for (let decimals = 0; decimals <= 36; decimals++) {
    const amounts = [...edges, ...Array.from({ length: 60 }, () => BigInt("0x" + randomBytes(1 + (randomBytes(1)[0] % 32)).toString("hex")))];
    for (const amount of amounts) {
      for (const value of [amount, -amount]) {
        assert.equal(formatUnits(value, decimals), ethersUnits(value, decimals), `${value} at ${decimals} decimals`);
        compared++;
      }
    }
    assert.equal(formatUnits(123456789n, BigInt(decimals)), ethersUnits(123456789n, decimals));  // decimals as a token answers them
  }
  for (const value of edges) assert.equal(formatEther(value), ethersEther(value));
  assert.equal(formatEther("600000000000000000"), "0.6");  // a decimal string, as the index's JSON carries amounts
  assert.ok(compared > 5000);
});
