// Start-up of the `fedbroker` CLI: `validate` of the demo spec and `--help`, each run N times in a
// fresh process, from the compiled dist/ (scripts/build.sh) and from the TypeScript sources through tsx
// (FEDBROKER_FROM_SOURCE=1). Prints min/median/max of wall time, CPU time (user + system) and peak RSS,
// from GNU time. Run: node --import tsx bench/startup.bench.ts [runs, default 7]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 7);
const root = new URL('..', import.meta.url).pathname;
execFileSync('bash', [join(root, 'scripts/build.sh')], { stdio: 'inherit' });
const scratch = mkdtempSync(join(tmpdir(), 'fedbroker-startup-'));

interface Sample { wall: number; cpu: number; rssMiB: number }

function once(args: string[], fromSource: boolean): Sample {
  const out = join(scratch, 'time.txt');
  const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, process.execPath, join(root, 'bin/fedbroker.mjs'), ...args],
    { cwd: root, env: { ...process.env, FEDBROKER_FROM_SOURCE: fromSource ? '1' : '0' }, stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`fedbroker ${args.join(' ')} exited ${run.status}`);
  const [wall, user, sys, rssKiB] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall: wall!, cpu: user! + sys!, rssMiB: rssKiB! / 1024 };
}

const stats = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! }; };
const fmt = (x: { min: number; median: number; max: number }, unit: string, digits = 2) => `${x.median.toFixed(digits)} ${unit} (min ${x.min.toFixed(digits)}, max ${x.max.toFixed(digits)})`;

try {
  for (const [name, args] of [['validate demo spec', ['validate', 'config/federation.example.yaml']], ['--help', ['--help']]] as const) {
    for (const fromSource of [false, true]) {
      once([...args], fromSource); // warm the file cache
      const samples = Array.from({ length: runs }, () => once([...args], fromSource));
      console.log(`${name.padEnd(20)} ${(fromSource ? 'sources (tsx)' : 'compiled dist/').padEnd(15)} wall ${fmt(stats(samples.map((s) => s.wall)), 's')}, `
        + `CPU ${fmt(stats(samples.map((s) => s.cpu)), 's')}, peak RSS ${fmt(stats(samples.map((s) => s.rssMiB)), 'MiB', 0)}  [n=${runs}]`);
    }
  }
  console.log('goal (issue: start-up): validate <= 0.25 s wall');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
