// Copies the addon cargo built (target/release/libverdict_node.so, or the
// platform's name for it; $CARGO_TARGET_DIR if set) to verdict.node.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const here = path.resolve(__dirname, '..');
const dest = path.join(here, 'verdict.node');
if (process.argv.includes('--if-missing')) {
  process.exit(fs.existsSync(dest) ? 0 : 1);
}
const target = process.env.CARGO_TARGET_DIR
  ? path.resolve(here, process.env.CARGO_TARGET_DIR)
  : path.join(here, 'target');
const name = { darwin: 'libverdict_node.dylib', win32: 'verdict_node.dll' }[process.platform]
  || 'libverdict_node.so';
const built = path.join(target, 'release', name);
if (!fs.existsSync(built)) {
  console.error(`no addon at ${built}: run \`cargo build --release\` in ${here}`);
  process.exit(1);
}
fs.copyFileSync(built, dest);
console.log(`${built} -> ${dest}`);
