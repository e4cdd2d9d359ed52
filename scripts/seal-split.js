// Names the dashboard's split bundle by what it finally holds, so that a year-long cache can
// never serve a stale part of it.
//
// `cargo leptos build --split` names each file by a hash of its content, then writes the final
// names into the files that refer to each other: the main script imports the chunk loader, the
// loader imports the main script and fetches the chunks, and the wasm files import the loader
// by name. Those rewrites come after the names, so a file can change while its name does not
// (a page's code changes: its chunk and the loader get new names, the main script, now
// importing the new loader, keeps its old one, and a browser that cached it asks for a loader
// that is gone). Here every file of the bundle gets one name, a hash of all of them as they
// are, and every reference is rewritten to it; hash.txt follows.
//
// Usage: node scripts/seal-split.js <pkg dir> <hash.txt> <output name>
"use strict";
const fs = require("fs");
const path = require("path");
const readHashes = require("./hash-file");
const crypto = require("crypto");

const [pkg, hashFile, output] = process.argv.slice(2);
const hashes = readHashes(hashFile);
if (!hashes.split) {
  console.log("seal-split: not a split build, nothing to do");
  process.exit(0);
}

// The stylesheet shares the name too, so that one name (`<output>.<seal>`) finds all three: a
// server that carries its site inside it names them so (server/src/site.rs).
const main = [`${output}.${hashes.js}.js`, `${output}.${hashes.wasm}.wasm`, `${output}.${hashes.css}.css`];
const loader = `__wasm_split.${hashes.split}.js`;
const chunks = fs
  .readdirSync(pkg)
  .filter((name) => name.endsWith(".wasm") && !name.startsWith(`${output}.`) && !name.startsWith("visitor."))
  .sort();
const parts = [...main, loader, ...chunks];

const zlib = require("zlib");
const digest = crypto.createHash("sha256");
for (const name of parts) digest.update(name).update(fs.readFileSync(path.join(pkg, name)));
// The same length as cargo-leptos' hashes: names inside wasm files are replaced byte for byte.
const seal = digest.digest("base64url").slice(0, hashes.split.length);

const renamed = new Map(); // old name -> new name, for every part
for (const name of parts) {
  const [stem, , ext] = name.split(/\.(?=[^.]+\.[^.]+$)|\.(?=[^.]+$)/);
  renamed.set(name, `${stem}.${seal}.${ext}`);
}
// Chunks are named without their extension in the manifest.
const stems = [...renamed].map(([from, to]) => [from.replace(/\.wasm$/, ""), to.replace(/\.wasm$/, "")]);

function replaceAll(buffer, from, to) {
  const needle = Buffer.from(from);
  const replacement = Buffer.from(to);
  if (needle.length !== replacement.length) throw new Error(`seal-split: ${from} and ${to} differ in length`);
  let count = 0;
  for (let at = buffer.indexOf(needle); at >= 0; at = buffer.indexOf(needle, at + needle.length)) {
    replacement.copy(buffer, at);
    count++;
  }
  return count;
}

for (const name of parts) {
  const file = path.join(pkg, name);
  const bytes = fs.readFileSync(file);
  for (const [from, to] of stems) replaceAll(bytes, from, to);
  fs.writeFileSync(path.join(pkg, renamed.get(name)), bytes);
  if (renamed.get(name) !== name) fs.rmSync(file);
  for (const stale of [`${name}.br`, `${name}.gz`]) fs.rmSync(path.join(pkg, stale), { force: true });
}
const manifest = path.join(pkg, `__wasm_split_manifest.${hashes.manifest}.json`);
const listed = fs.readFileSync(manifest);
for (const [from, to] of stems) replaceAll(listed, from, to);
fs.writeFileSync(manifest, listed);
fs.rmSync(`${manifest}.br`, { force: true });
fs.rmSync(`${manifest}.gz`, { force: true });

fs.writeFileSync(
  hashFile,
  Object.entries({ ...hashes, js: seal, wasm: seal, css: seal, split: seal })
    .map(([key, value]) => `${key}: ${value}\n`)
    .join(""),
);
for (const name of [...renamed.values(), path.basename(manifest)]) {
  const file = path.join(pkg, name);
  const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 };
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(fs.readFileSync(file), { params }));
}
console.log(`seal-split: ${parts.length} files named ${seal}`);
