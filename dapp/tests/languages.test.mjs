// The picker's names of the languages (dapp/src/languages.js, listed before a language's words are
// loaded) are the names the locale files give themselves, and every locale file is listed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NAMES } from "../src/languages.js";

const LOCALES = join(import.meta.dirname, "..", "..", "opencommons", "data", "locales");

test("every locale file is in the picker under its own name", () => {
  const files = Object.fromEntries(readdirSync(LOCALES).filter((f) => f.endsWith(".json"))
    .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(LOCALES, f), "utf8"))._name]));
  assert.deepEqual(Object.keys(NAMES).sort(), Object.keys(files).sort());
  for (const [code, name] of Object.entries(NAMES)) assert.equal(name, files[code], code);
});
