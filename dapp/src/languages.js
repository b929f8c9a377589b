// The languages the dApp speaks, each by its own name (the `_name` of its locale file, checked by
// dapp/tests/languages.test.mjs): the picker lists them before any but the reader's is loaded.
export const NAMES = { en: "English", sw: "Kiswahili", pt: "Português", fr: "Français" };
