// Verifying content in the browser, trusting neither the server nor the network: a CID's sha2-256
// digest, the manifest's bytes against the digest on-chain, each file against the manifest's sha256.
import { t } from "./i18n.js";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
export const RAW = 0x55, DAG_PB = 0x70;

function varint(bytes, at) {
  let value = 0, shift = 0, i = at;
  for (;;) {
    const b = bytes[i++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, i];
    shift += 7;
  }
}

// A CIDv1 in base32 ("b...") as { codec, digest } (digest as lowercase hex), for sha2-256 only.
export function parseCid(text) {
  if (!text.startsWith("b")) throw new Error(t("verify.notCid", { text }));
  const bits = [...text.slice(1)].map((ch) => {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new Error(t("verify.notCid", { text }));
    return v.toString(2).padStart(5, "0");
  }).join("");
  const bytes = new Uint8Array(Math.floor(bits.length / 8));
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const [version, afterVersion] = varint(bytes, 0);
  const [codec, afterCodec] = varint(bytes, afterVersion);
  const [hash, afterHash] = varint(bytes, afterCodec);
  const [length, start] = varint(bytes, afterHash);
  if (version !== 1 || hash !== 0x12 || length !== 32) throw new Error(t("verify.onlySha256", { text }));
  return { codec, digest: hex(bytes.slice(start, start + 32)) };
}

export function hex(bytes) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256(bytes) {
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

// Fetches `url` and checks its bytes hash to `expected` (hex); the bytes when they do.
export async function fetchVerified(url, expected, what) {
  const reply = await fetch(url);
  if (!reply.ok) throw new Error(t("verify.http", { what, status: reply.status }));
  const bytes = await reply.arrayBuffer();
  const got = await sha256(bytes);
  if (got !== expected) throw new Error(t("verify.mismatch", { what, got: got.slice(0, 16), expected: expected.slice(0, 16) }));
  return bytes;
}

// The dataset's manifest, checked against its CID (a raw block's CID is the sha256 of its bytes)
// and against the content CID recorded on-chain, then every file it lists against its sha256.
// `base` is where content is fetched (`/ipfs/`); returns [{ path, size, blob }] once all match.
export async function downloadVerified(base, d, progress = () => {}) {
  const manifestCid = parseCid(d.manifest);
  if (manifestCid.codec !== RAW) throw new Error(t("verify.manifestNotRaw"));
  const manifest = JSON.parse(new TextDecoder().decode(await fetchVerified(base + d.manifest, manifestCid.digest, t("verify.theManifest"))));
  if (manifest.content !== d.content) throw new Error(t("verify.otherContent", { manifest: manifest.content, chain: d.content }));
  const files = [];
  for (const [i, f] of manifest.files.entries()) {
    progress(t("verify.checking", { path: f.path, at: i + 1, of: manifest.files.length }));
    const url = `${base}${d.content}/${f.path.split("/").map(encodeURIComponent).join("/")}`;
    const bytes = await fetchVerified(url, f.sha256, f.path);
    files.push({ path: f.path, size: bytes.byteLength, blob: new Blob([bytes]) });
  }
  return files;
}
