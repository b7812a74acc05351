/**
 * The README is executable truth: every command of its CLI section runs, as written, against the
 * demo federation on the test bed and exits 0. `export` lines set the environment of the commands
 * after them; `serve` runs in the background until the commands after it are done, then its process
 * group gets SIGTERM (as from Ctrl-C or a service manager; `npx` itself does not pass a signal on) and
 * the broker must log that it drained and exit; a placeholder such as `<event id>` is filled with the previous command's output
 * (its last line; where the placeholder comes again, the same value). The commands run in a clean environment (no FEDBROKER_* of the caller), from the
 * repository's root, through `npx` as a user types them.
 *
 * Writes what the README's commands write (apply, a cloud-b sync, a secret rotation, a logout of
 * cloud-a:alice): run it under the test-bed lock. Needs the test bed; fails loudly without it.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cleanEnv, deliveredEventually, failed, ROOT, run } from '../support/shell.ts';
import { loadTestbed } from '../support/testbed.ts';
import { commandsOf, placeholdersOf, readmeSection } from '../support/readme.ts';

interface Background { child: ChildProcess; output: () => string; closed: Promise<void> }

async function startInBackground(command: string, env: NodeJS.ProcessEnv): Promise<Background> {
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  // Closed when every process of the group (npx and the broker under it) has exited.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('"fedbroker serving"')) {
    if (child.exitCode !== null || Date.now() > deadline) { killGroup(child, 'SIGKILL'); throw new Error(`${command} did not start serving:\n${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, closed };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try { process.kill(-child.pid!, signal); } catch { /* already gone */ }
}

describe('README CLI section, run as written against the demo federation', () => {
  loadTestbed();
  const commands = commandsOf(readmeSection('The CLI: `fedbroker`'));
  const env = cleanEnv();
  let previousOutput = '';
  const filled = new Map<string, string>();
  const background: Background[] = [];

  after(() => { for (const b of background) killGroup(b.child, 'SIGKILL'); });

  it('the section has the commands this test knows how to run', () => {
    assert.ok(commands.length >= 10, `${commands.length} commands`);
    for (const c of commands) assert.match(c, /^(npx fedbroker |export [A-Z_]+=\S+$)/, c);
  });

  for (const written of commands) {
    it(written, async () => {
      const exported = /^export ([A-Z_]+)=(\S+)$/.exec(written);
      if (exported) { env[exported[1]!] = exported[2]!; return; }
      let command = written;
      for (const p of placeholdersOf(written)) {
        // The first use of a placeholder takes the previous command's last output line; later uses, the same value.
        const value = filled.get(p) ?? previousOutput.trim().split('\n').at(-1)?.trim();
        assert.ok(value, `no output of the previous command to fill ${p}`);
        filled.set(p, value);
        command = command.replace(p, value);
      }
      if (/^npx fedbroker serve\b/.test(command)) {
        // A later serve line is another way to run the same broker (same port): the one before it stops first.
        const previous = background.at(-1);
        if (previous) await stopDrained(previous);
        background.push(await startInBackground(command, env));
        return;
      }
      const result = await run(command, env);
      assert.equal(result.code, 0, failed(command, result));
      previousOutput = result.stdout;
      if (/ logout status /.test(command) && command.includes('--output json')) await deliveredEventually(command, env);
    });
  }

  it('serve stops on SIGTERM: drained, every process gone within its grace period', async () => {
    assert.ok(background.length > 0, 'the README starts no serve');
    await stopDrained(background.at(-1)!);
  });
});

/** SIGTERM to the serve's process group; every process gone within 25 s, and the broker logged one drained stop. */
async function stopDrained(b: Background): Promise<void> {
  const t0 = Date.now();
  killGroup(b.child, 'SIGTERM');
  await Promise.race([b.closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`not stopped after 25 s:\n${b.output().slice(-3000)}`)), 25_000))]);
  const stopped = b.output().split('\n').filter((l) => l.includes('"fedbroker stopped')).map((l) => JSON.parse(l) as { drained: boolean });
  assert.deepEqual(stopped.map((s) => s.drained), [true], b.output().slice(-3000));
  console.log(`serve stopped ${Date.now() - t0} ms after SIGTERM`);
}
