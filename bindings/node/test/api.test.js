// Every method of the `verdict` package, each answer compared with the CLI's.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const verdict = require('..');
const { cli, fixture } = require('../scripts/fixture');

const fx = fixture();
const MEETING = 'arn:aws:chime:us-east-1:123456789012:meeting/m1';
const { ALLOW, DENY, IMPLICIT_DENY } = verdict.Decision;

const CASES = [
  ['user/c4', 'chime:ListUsers', null, null, IMPLICIT_DENY],
  ['user/c4', 'chime:ListUsers', null, { 'aws:SourceIp': '10.1.2.3' }, ALLOW],
  ['user/c4', 'chime:ListUsers', null, { 'AWS:SOURCEIP': '2001:db8::7' }, ALLOW],
  ['user/c4', 'chime:ListUsers', null, { 'aws:SourceIp': '8.8.8.8' }, IMPLICIT_DENY],
  ['user/c4', 'chime:DeleteAccount', null, { 'aws:MultiFactorAuthPresent': 'false' }, DENY],
  ['user/c4', 'chime:DeleteAccount', null, { 'aws:MultiFactorAuthPresent': false }, DENY],
  ['user/c4', 'chime:CreateChannel', MEETING, { 'aws:RequestTag/team': 'red' }, ALLOW],
  ['user/c4', 'chime:CreateChannel', MEETING, { 'aws:RequestTag/team': 'green' }, IMPLICIT_DENY],
  ['user/c4', 'chime:CreateChannel', undefined, { 'aws:RequestTag/team': 'red' }, IMPLICIT_DENY],
  ['user/c4', 'chime:TagResource', null, { 'aws:TagKeys': ['team', 'env'] }, ALLOW],
  ['user/c4', 'chime:TagResource', null, { 'aws:TagKeys': ['team', 'owner'] }, IMPLICIT_DENY],
  ['user/c4', 'chime:UntagResource', null, { 'aws:TagKeys': ['secret'] }, DENY],
  ['user/c4', 'chime:BatchCreateRoomMembership', null, { 'aws:MultiFactorAuthAge': 60 }, ALLOW],
];

function cliCheck(table, principal, action, resource, context) {
  const args = ['check', table, principal, action];
  if (resource != null) args.push('--resource', resource);
  for (const [key, value] of Object.entries(context || {})) {
    for (const one of Array.isArray(value) ? value : [value]) args.push('--context', `${key}=${one}`);
  }
  return cli(args).stdout.trim();
}

test('check by names, with resources and contexts, equals the CLI', () => {
  const table = verdict.Table.open(fx.table);
  for (const [p, a, r, c, expected] of CASES) {
    const got = table.check(p, a, r, c);
    assert.equal(got, expected, `${p} ${a} ${r} ${JSON.stringify(c)}`);
    assert.equal(got, cliCheck(fx.table, p, a, r, c));
  }
  assert.equal(table.check('user/c4', 'chime:ListUsers'), IMPLICIT_DENY);
});

test('fromBytes equals open; fingerprints tell tables apart', () => {
  const a = verdict.Table.open(fx.table);
  const b = verdict.Table.fromBytes(fs.readFileSync(fx.table));
  const other = verdict.Table.open(fx.tableB);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.fingerprint, other.fingerprint);
  assert.ok(!a.fingerprint.includes('\n') && a.fingerprint.length > 0);
  assert.equal(a.actionCount, 316);
  assert.ok(a.principalCount > 100 && a.principalCount === b.principalCount);
  for (const [p, act, r, c] of CASES) assert.equal(a.check(p, act, r, c), b.check(p, act, r, c));
});

test('ids and cells', () => {
  const table = verdict.Table.open(fx.table);
  const p = table.principal('user/c4');
  const a = table.action('chime:ListUsers');
  assert.equal(table.action('CHIME:listusers'), a);
  assert.equal(table.checkIds(p, a), verdict.Cell.CONDITIONAL);
  assert.equal(table.checkIdsWith(p, a), IMPLICIT_DENY);
  assert.equal(table.checkIdsWith(p, a, null, { 'aws:SourceIp': '10.9.9.9' }), ALLOW);
  for (const [pr, act, r, c, expected] of CASES) {
    assert.equal(table.checkIdsWith(table.principal(pr), table.action(act), r, c), expected);
  }
  for (const [bad, act] of [[table.principalCount, 0], [0, table.actionCount], [2 ** 32 - 1, 0]]) {
    assert.throws(() => table.checkIds(bad, act), { code: 'VERDICT_ID_OUT_OF_RANGE' });
    assert.throws(() => table.checkIdsWith(bad, act), { code: 'VERDICT_ID_OUT_OF_RANGE' });
  }
});

test('unknown names and bad arguments throw', () => {
  const table = verdict.Table.open(fx.table);
  assert.throws(() => table.check('user/nobody', 'chime:ListUsers'), { code: 'VERDICT_UNKNOWN_PRINCIPAL', message: /user\/nobody/ });
  assert.throws(() => table.check('user/c4', 'chime:Nope'), { code: 'VERDICT_UNKNOWN_ACTION' });
  assert.throws(() => table.principal('USER/C4'), { code: 'VERDICT_UNKNOWN_PRINCIPAL' });
  assert.throws(() => table.action(''), { code: 'VERDICT_UNKNOWN_ACTION' });
  assert.throws(() => table.check('user/c4', 'chime:ListUsers', null, { 'aws:SourceIp': 1.5 }), { code: 'VERDICT_INVALID_ARGUMENT' });
  assert.throws(() => table.check('user/c4', 'chime:ListUsers', null, { 'aws:SourceIp': null }));
  assert.throws(() => table.check('user/c4', 'chime:ListUsers', null, { 'aws:SourceIp': {} }));
  assert.throws(() => table.check(42, 'chime:ListUsers'));
  assert.throws(() => table.check('user/c4'));
  assert.throws(() => table.check('user/c4', 'chime:ListUsers', 'a'.repeat(5000)), { code: 'VERDICT_REQUEST_LIMIT', message: /resource/ });
  const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 'v']));
  assert.throws(() => table.check('user/c4', 'chime:ListUsers', null, many), { code: 'VERDICT_REQUEST_LIMIT' });
});

test('checkMany', () => {
  const table = verdict.Table.open(fx.table);
  const reqs = CASES.map(([principal, action, resource, context]) => ({ principal, action, resource, context }));
  assert.deepEqual(table.checkMany(reqs), CASES.map((c) => c[4]));
  assert.deepEqual(table.checkMany([]), []);
  assert.throws(() => table.checkMany([reqs[0], { principal: 'user/nobody', action: 'chime:ListUsers' }]),
    { code: 'VERDICT_UNKNOWN_PRINCIPAL', message: /^request 1: / });
  assert.throws(() => table.checkMany([{ principal: 'user/c4', action: 'chime:ListUsers', context: { k: 0.5 } }]),
    { code: 'VERDICT_INVALID_ARGUMENT', message: /^request 0: / });
  assert.throws(() => table.checkMany([{ principal: 'user/c4' }]));
  assert.throws(() => table.checkMany(['user/c4']));
});

function patched(data, offset, value, width) {
  const out = Buffer.from(data);
  if (width === 8) out.writeBigUInt64LE(BigInt(value), offset);
  else out.writeUInt32LE(value, offset);
  return out;
}

test('load errors have a code per kind', () => {
  const data = fs.readFileSync(fx.table);
  const flipped = Buffer.from(data);
  flipped[100] ^= 0xff;
  const cases = [
    [Buffer.alloc(0), 'VERDICT_NOT_A_TABLE'],
    [Buffer.from('not a table at all, just some text'), 'VERDICT_NOT_A_TABLE'],
    [data.subarray(0, 30), 'VERDICT_DAMAGED'],
    [data.subarray(0, data.length >> 1), 'VERDICT_DAMAGED'],
    [flipped, 'VERDICT_DAMAGED'],
    [Buffer.concat([data, Buffer.from('x')]), 'VERDICT_DAMAGED'],
    [patched(data, 12, 99, 4), 'VERDICT_UNSUPPORTED_VERSION'],
    [patched(data, 24, 2 ** 40, 8), 'VERDICT_TOO_LARGE'],
  ];
  const file = path.join(fx.dir, 'bad.vdt');
  for (const [raw, code] of cases) {
    assert.throws(() => verdict.Table.fromBytes(raw), (err) => err.code === code && verdict.isLoadError(err));
    fs.writeFileSync(file, raw);
    assert.throws(() => verdict.Table.open(file), { code });
    assert.throws(() => verdict.TableHandle.open(file), { code });
  }
  assert.throws(() => verdict.Table.open(path.join(fx.dir, 'missing.vdt')), { code: 'VERDICT_NOT_FOUND' });
  assert.throws(() => verdict.Table.open(fx.dir), { code: 'VERDICT_NOT_A_TABLE' });
  const big = path.join(fx.dir, 'big.vdt');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 2 ** 28 + 4096);
  assert.throws(() => verdict.Table.open(big), { code: 'VERDICT_TOO_LARGE' });
  assert.ok(!verdict.isLoadError(new Error('x')));
});

test('TableHandle reloads, keeps the old table on a bad file', () => {
  const live = path.join(fx.dir, 'live.vdt');
  const a = fs.readFileSync(fx.table);
  const b = fs.readFileSync(fx.tableB);
  fs.writeFileSync(live, a);
  const handle = verdict.TableHandle.open(live);
  assert.equal(handle.generation, 1);
  assert.equal(handle.lastError, null);
  const first = handle.current();
  assert.equal(handle.check('user/c4', 'chime:ListUsers', null, { 'aws:SourceIp': '10.1.2.3' }), ALLOW);
  fs.writeFileSync(live, b);
  assert.equal(handle.reload(), 2);
  assert.equal(handle.fingerprint, verdict.Table.fromBytes(b).fingerprint);
  assert.equal(first.fingerprint, verdict.Table.fromBytes(a).fingerprint);
  fs.writeFileSync(live, 'garbage');
  assert.throws(() => handle.reload(), { code: 'VERDICT_NOT_A_TABLE' });
  assert.equal(handle.lastErrorCode, 'VERDICT_NOT_A_TABLE');
  assert.match(handle.lastError, /not a verdict table/);
  assert.equal(handle.generation, 2);
  assert.equal(handle.fingerprint, verdict.Table.fromBytes(b).fingerprint);
  fs.unlinkSync(live);
  assert.throws(() => handle.reload(), { code: 'VERDICT_NOT_FOUND' });
  assert.throws(() => handle.reloadFromBytes(a.subarray(0, a.length - 1)), { code: 'VERDICT_DAMAGED' });
  assert.equal(handle.reloadFromBytes(a), 3);
  assert.equal(handle.lastError, null);
  assert.deepEqual(handle.checkMany([{ principal: 'user/c4', action: 'chime:ListUsers' }]), [IMPLICIT_DENY]);
  const other = verdict.TableHandle.fromBytes(b);
  assert.equal(other.generation, 1);
  assert.equal(other.current().fingerprint, verdict.Table.fromBytes(b).fingerprint);
});
