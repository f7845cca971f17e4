// The addon's decisions equal the CLI's batch answers on the same requests.
// Point it at another table and request file (JSON lines as `verdict check
// --batch` reads them) with VERDICT_AGREEMENT_TABLE and
// VERDICT_AGREEMENT_REQUESTS; by default it uses bindings/fixture/make.py's.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const verdict = require('..');
const { cli, fixture } = require('../scripts/fixture');

const overridden = Boolean(process.env.VERDICT_AGREEMENT_TABLE);
const fx = overridden ? null : fixture();
const tablePath = process.env.VERDICT_AGREEMENT_TABLE || fx.table;
const requestsPath = process.env.VERDICT_AGREEMENT_REQUESTS || fx.requests;

const text = fs.readFileSync(requestsPath, 'utf8');
const reqs = text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
const answers = cli(['check', tablePath, '--batch', '-'], text).stdout.split('\n').filter((l) => l).map((l) => JSON.parse(l));

function answer(call) {
  try {
    return call();
  } catch (err) {
    if (['VERDICT_UNKNOWN_PRINCIPAL', 'VERDICT_UNKNOWN_ACTION', 'VERDICT_REQUEST_LIMIT'].includes(err.code)) return 'error';
    throw err;
  }
}

test('decisions equal the CLI, by names, by ids and through a handle', () => {
  assert.equal(answers.length, reqs.length);
  assert.ok(reqs.length > 0);
  const table = verdict.Table.open(tablePath);
  const handle = verdict.TableHandle.open(tablePath);
  const kinds = new Set();
  reqs.forEach((r, i) => {
    const expected = answers[i].decision;
    kinds.add(expected);
    const what = JSON.stringify(r);
    assert.equal(answer(() => table.check(r.principal, r.action, r.resource, r.context)), expected, what);
    assert.equal(answer(() => handle.check(r.principal, r.action, r.resource, r.context)), expected, what);
    let ids;
    try {
      ids = [table.principal(r.principal), table.action(r.action)];
    } catch (err) {
      assert.equal(expected, 'error', what);
      return;
    }
    assert.equal(answer(() => table.checkIdsWith(ids[0], ids[1], r.resource, r.context)), expected, what);
  });
  if (!overridden) assert.deepEqual([...kinds].sort(), ['allow', 'deny', 'error', 'implicit-deny']);
});

test('checkMany equals the CLI', () => {
  const table = verdict.Table.open(tablePath);
  const known = reqs.map((r, i) => [r, answers[i].decision]).filter(([, d]) => d !== 'error');
  assert.deepEqual(table.checkMany(known.map(([r]) => r)), known.map(([, d]) => d));
});
