// ns per check from Node: the addon by names (with and without request
// context), by ids and in batches, against a Map of precomputed decisions and
// against the CLI (`verdict check` in a subprocess), in one run.
//
//     node bindings/node/bench.js [--users N] [--checks N] [--rounds N]
//
// Builds the agreement fixture (bindings/fixture/make.py, needs python3) with
// N users; every figure is the median over rounds of the same request stream.
// Prints a markdown table. Not a test: nothing here asserts a time.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const verdict = require('.');
const { verdictBin } = require('./scripts/fixture');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const users = arg('users', 10000);
const checks = arg('checks', 100000);
const rounds = arg('rounds', 7);
const cliChecks = arg('cli-checks', 50);

function perCheck(fn, n, times) {
  fn();
  const samples = [];
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
try {
  const make = path.join(__dirname, '..', 'fixture', 'make.py');
  const bin = verdictBin();
  execFileSync('python3', [make, dir, '--users', String(users), '--requests', String(checks), '--seed', '3'], {
    env: { ...process.env, VERDICT_BIN: bin },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tablePath = path.join(dir, 'org.vdt');
  const table = verdict.Table.open(tablePath);
  const reqs = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter((l) => l)
    .map((l) => JSON.parse(l))
    .filter((r) => r.principal !== 'user/nobody' && r.action !== 'chime:NoSuchAction');
  const n = reqs.length;
  const ids = reqs.map((r) => [table.principal(r.principal), table.action(r.action)]);
  const map = new Map(reqs.map((r) => [`${r.principal}\u0000${r.action}`, table.check(r.principal, r.action)]));
  let sink = 0;
  const rows = [
    ['`table.check(p, a)` by names', () => { for (const r of reqs) sink += table.check(r.principal, r.action).length; }],
    ['`table.check(p, a, resource, context)`', () => { for (const r of reqs) sink += table.check(r.principal, r.action, r.resource, r.context).length; }],
    ['`table.checkIds(p, a)` (cell)', () => { for (const [p, a] of ids) sink += table.checkIds(p, a).length; }],
    ['`table.checkIdsWith(p, a, resource, context)`', () => {
      for (let i = 0; i < n; i++) sink += table.checkIdsWith(ids[i][0], ids[i][1], reqs[i].resource, reqs[i].context).length;
    }],
    ['`table.checkMany(requests)` per request', () => { sink += table.checkMany(reqs).length; }],
    ['`Map.get(p + "\\0" + a)` of precomputed decisions', () => { for (const r of reqs) sink += map.get(`${r.principal}\u0000${r.action}`).length; }],
  ].map(([name, fn]) => [name, perCheck(fn, n, rounds)]);
  const sample = reqs.slice(0, cliChecks);
  rows.push(['`verdict check` in a subprocess', perCheck(() => {
    for (const r of sample) spawnSync(bin, ['check', tablePath, r.principal, r.action]);
  }, sample.length, 3)]);
  console.log(`table: ${users} generated users + 5 conditional (${table.fingerprint}); ${n} requests, median of ${rounds} rounds; CLI: ${bin}, ${sample.length} calls × 3`);
  console.log(`node ${process.version} (checksum ${sink % 10})\n`);
  console.log('| Node | ns/check |');
  console.log('|---|---:|');
  for (const [name, ns] of rows) console.log(`| ${name} | ${Math.round(ns).toLocaleString('en-US')} |`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
