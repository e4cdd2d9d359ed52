// Gives the functions the dashboard's wasm imports from its script short names.
//
// wasm-bindgen names each import after the Rust binding and a hash of its signature
// (`__wbg_then_3a4f899454bcf8c9`), and writes each name twice: in the wasm's import section and
// in the script's import object. The 16 hex digits are all but random, so brotli cannot shrink
// them: the main file's 331 imports cost about 8 KB of the first page, compressed (4.8 KB of
// wasm, 3.3 KB of script). Each such name becomes `w$` and a number in both files; the wasm's
// code calls its imports by index, so nothing else changes.
//
// Runs on the built files, before `seal-split.js` names them by content.
// Usage: node scripts/short-imports.js <pkg dir> <hash.txt> <output name>
"use strict";
const fs = require("fs");
const path = require("path");
const readHashes = require("./hash-file");

const [pkg, hashFile, output] = process.argv.slice(2);
const hashes = readHashes(hashFile);
const wasmFile = path.join(pkg, `${output}.${hashes.wasm}.wasm`);
const scriptFile = path.join(pkg, `${output}.${hashes.js}.js`);
const importModule = `./${output}_bg.js`;
const hashed = /^__wbg.*_[0-9a-f]{16}$/;
const prefix = "w$";

/** Reads an unsigned LEB128 number at `at`: its value and the offset after it. */
function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

function name(text) {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([leb(bytes.length), bytes]);
}

/** The import section with hashed names replaced; `renamed` collects old name -> new name. */
function shortenImports(section, renamed) {
  let [count, at] = readLeb(section, 0);
  const parts = [leb(count)];
  for (; count > 0; count--) {
    let length;
    [length, at] = readLeb(section, at);
    const module = section.subarray(at, (at += length)).toString("utf8");
    [length, at] = readLeb(section, at);
    let field = section.subarray(at, (at += length)).toString("utf8");
    const start = at;
    const kind = section[at++];
    if (kind === 0x00) {
      [, at] = readLeb(section, at); // type index
    } else if (kind === 0x01) {
      at++; // element type
      at = limits(section, at);
    } else if (kind === 0x02) {
      at = limits(section, at);
    } else if (kind === 0x03) {
      at += 2; // value type, mutability
    } else if (kind === 0x04) {
      at++;
      [, at] = readLeb(section, at);
    } else {
      throw new Error(`short-imports: unknown import kind ${kind}`);
    }
    if (module === importModule && kind === 0x00 && hashed.test(field)) {
      const short = `${prefix}${renamed.size.toString(36)}`;
      renamed.set(field, short);
      field = short;
    }
    parts.push(name(module), name(field), section.subarray(start, at));
  }
  if (at !== section.length) throw new Error("short-imports: the import section has bytes after its imports");
  return Buffer.concat(parts);
}

function limits(bytes, at) {
  const flags = bytes[at++];
  [, at] = readLeb(bytes, at);
  if (flags & 1) [, at] = readLeb(bytes, at);
  return at;
}

const wasm = fs.readFileSync(wasmFile);
let script = fs.readFileSync(scriptFile, "utf8");
if (script.includes(prefix)) throw new Error(`short-imports: ${scriptFile} already holds ${prefix}`);

const renamed = new Map();
const sections = [wasm.subarray(0, 8)];
for (let at = 8; at < wasm.length; ) {
  const id = wasm[at];
  const [size, body] = readLeb(wasm, at + 1);
  let content = wasm.subarray(body, body + size);
  if (id === 2) content = shortenImports(content, renamed);
  sections.push(Buffer.from([id]), leb(content.length), content);
  at = body + size;
}
if (renamed.size === 0) throw new Error(`short-imports: no hashed import in ${wasmFile}`);

for (const [from, to] of renamed) {
  // A name is a token of its own in the script: the hash makes it unique, so it is replaced
  // wherever it stands, and it must stand somewhere or the script would miss an import.
  const parts = script.split(from);
  if (parts.length < 2) throw new Error(`short-imports: ${from} is not in ${scriptFile}`);
  script = parts.join(to);
}

fs.writeFileSync(wasmFile, Buffer.concat(sections));
fs.writeFileSync(scriptFile, script);
for (const file of [wasmFile, scriptFile]) {
  for (const stale of [`${file}.br`, `${file}.gz`]) fs.rmSync(stale, { force: true });
}
console.log(`short-imports: ${renamed.size} imports renamed in ${path.basename(wasmFile)}`);
