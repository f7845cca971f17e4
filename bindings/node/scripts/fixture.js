// The agreement fixture of bindings/fixture/make.py (a generated organisation
// with conditions, compiled by the CLI), made once per test file, and the CLI.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..', '..');  // scripts/ -> bindings/node -> bindings -> repo
const make = path.join(repo, 'bindings', 'fixture', 'make.py');

function verdictBin() {
  if (process.env.VERDICT_BIN) return process.env.VERDICT_BIN;
  const built = ['release', 'debug'].map((p) => path.join(repo, 'target', p, 'verdict')).filter((b) => fs.existsSync(b));
  if (built.length > 0) return built.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];  // the newest build
  execFileSync('cargo', ['build', '--bin', 'verdict'], { cwd: repo, stdio: 'inherit' });
  return path.join(repo, 'target', 'debug', 'verdict');
}

/** Runs the CLI; returns { status, stdout }. */
function cli(args, input) {
  try {
    const stdout = execFileSync(verdictBin(), args.map(String), { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return { status: 0, stdout };
  } catch (err) {
    if (typeof err.status !== 'number') throw err;
    return { status: err.status, stdout: String(err.stdout) };
  }
}

/** { dir, table, tableB, requests, answers } of a fresh fixture. */
function fixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-node-'));
  execFileSync('python3', [make, dir, '--users', '120', '--requests', '1500', '--seed', '11'], {
    env: { ...process.env, VERDICT_BIN: verdictBin() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    dir,
    table: path.join(dir, 'org.vdt'),
    tableB: path.join(dir, 'org_b.vdt'),
    requests: path.join(dir, 'requests.jsonl'),
    answers: path.join(dir, 'answers.jsonl'),
  };
}

module.exports = { cli, fixture, verdictBin };
