#!/usr/bin/env node
// Runs test suites (folders under test/) with node's test runner and the tsx loader, then prints one
// closing line "N passed, N failed". A run that executes no test fails.
//   node scripts/run-tests.mjs unit integration      (suites run in that order)
//   FEDBROKER_TEST_FILTER=keycloak node scripts/run-tests.mjs integration
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suites = process.argv.slice(2);
if (suites.length === 0) suites.push('unit');
// Suites that share the real test bed run one file at a time.
const serialSuites = new Set(['integration', 'e2e', 'contract']);
// Several filters: comma-separated; a file runs when its path contains any of them.
const filters = (process.env.FEDBROKER_TEST_FILTER ?? '').split(',');

function testFiles(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(testFiles(path));
    // The filter matches the path below test/ (never the checkout's own folder name).
    else if (name.endsWith('.test.ts') && filters.some((f) => relative(join(root, 'test'), path).includes(f))) out.push(path);
  }
  return out.sort();
}

const totals = { pass: 0, fail: 0, skipped: 0, todo: 0 };
const timings = [];
mkdirSync(join(root, 'test-results'), { recursive: true });
for (const suite of suites) {
  const files = testFiles(join(root, 'test', suite));
  if (files.length === 0) { console.error(`no test files in test/${suite}`); totals.fail += 1; continue; }
  const tapFile = join(root, 'test-results', `${suite}.tap`);
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`];
  if (serialSuites.has(suite)) args.push('--test-concurrency=1');
  console.log(`\n== ${suite}: ${files.length} files`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [...args, ...files.map((f) => relative(root, f))], { cwd: root, stdio: 'inherit' });
  const tap = readFileSync(tapFile, 'utf8');
  const count = (key) => Number(tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  const suiteCounts = { pass: count('pass'), fail: count('fail'), skipped: count('skipped'), todo: count('todo') };
  if (run.status !== 0 && suiteCounts.fail === 0) suiteCounts.fail = 1; // crashed outside a test
  for (const k of Object.keys(totals)) totals[k] += suiteCounts[k];
  timings.push(`${suite} ${((Date.now() - started) / 1000).toFixed(1)} s (${suiteCounts.pass} passed, ${suiteCounts.fail} failed)`);
}
console.log(`\n== time per suite: ${timings.join('; ')}`);
const executed = totals.pass + totals.fail;
console.log(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skipped + totals.todo} skipped`);
if (executed === 0) console.error('no test was executed: failing the run');
process.exit(totals.fail > 0 || totals.pass === 0 ? 1 : 0);
