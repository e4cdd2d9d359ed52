// Reads cargo-leptos' hash.txt (`js: <hash>` lines) as an object: { js, wasm, css, ... }.
"use strict";
const fs = require("fs");

module.exports = function readHashes(hashFile) {
  return Object.fromEntries(
    fs
      .readFileSync(hashFile, "utf8")
      .split("\n")
      .filter((line) => line.includes(":"))
      .map((line) => line.split(":").map((part) => part.trim())),
  );
};
