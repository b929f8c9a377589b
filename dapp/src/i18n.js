// The dApp's words in the reader's language: every text the pages show comes from the locale files
// the server's dataset pages use too (opencommons/data/locales/CODE.json, the same keys in each),
// in the language picked in the header (remembered in this browser), else the first of the
// browser's languages the commons speaks, else English. A key missing in a language falls back to
// English. `t("key", { name })` fills `{name}`; `tn("key", n)` picks `key.one` / `key.other` by the
// language's plural rules. English is in the app's script (every missing key falls back to it);
// another language's words are a script of their own, loaded when it is picked (`loadLanguage`):
// an English page parses 20 KB of words, not 82.
import en from "../../opencommons/data/locales/en.json";
import { NAMES } from "./languages.js";

const LOADERS = {
  sw: () => import("../../opencommons/data/locales/sw.json"),
  pt: () => import("../../opencommons/data/locales/pt.json"),
  fr: () => import("../../opencommons/data/locales/fr.json"),
};
const LANGUAGES = { en };  // the languages loaded so far
const STORED = "opencommons.language";

function chosen() {
  const stored = (() => { try { return localStorage.getItem(STORED); } catch (_) { return null; } })();
  if (stored && NAMES[stored]) return stored;
  for (const wanted of navigator.languages ?? [navigator.language]) {
    const base = String(wanted).toLowerCase().split("-")[0];
    if (NAMES[base]) return base;
  }
  return "en";
}

export let language = chosen();

// The words of `code` (the reader's language by default), loaded once; before the first page.
export async function loadLanguage(code = language) {
  LANGUAGES[code] ??= (await LOADERS[code]()).default;
}
const plurals = () => new Intl.PluralRules(language);

export function t(key, vars = {}) {
  const text = LANGUAGES[language]?.[key] ?? en[key] ?? key;  // a missing key shows as itself (the tests look for them)
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

// A text that depends on a count (`n` is filled in as `{n}`).
export function tn(key, n, vars = {}) {
  const form = `${key}.${plurals().select(Number(n))}`;
  return t(LANGUAGES[language]?.[form] ?? en[form] ? form : `${key}.other`, { n, ...vars });
}

// A date in the reader's language ("6 déc. 2026"), in UTC as the chain's clock is.
export function dayText(seconds) {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(Number(seconds) * 1000));
}

// The page's fixed texts: data-i18n="key" sets an element's text, data-i18n-placeholder and
// data-i18n-label its placeholder and accessible name.
export function translateStatic(root = document) {
  document.documentElement.lang = language;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
}

// The language picker in the header: each language by its own name; a pick is remembered and the
// page redrawn in it (`redraw`).
export function setupLanguagePicker(select, redraw) {
  select.replaceChildren(...Object.entries(NAMES).map(([code, name]) => Object.assign(
    document.createElement("option"), { value: code, textContent: name, lang: code, selected: code === language })));
  select.onchange = async () => {
    await loadLanguage(select.value);
    language = select.value;
    try { localStorage.setItem(STORED, language); } catch (_) { /* private mode: this page only */ }
    translateStatic();
    redraw();
  };
}
