// Helpers for tests that run role sync against the real test bed as separate processes: the CLI
// started without blocking (so it can be killed or raced), its JSON report, the broker-owned sync
// state of a partner cloud for a set of home users (to compare runs), and home-group changes.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { domainScopedName } from '../../src/core/render/keystone/names.ts';
import { policyGroups } from '../../src/core/render/keystone/policy-groups.ts';
import { mirroredGroups } from '../../src/core/sync/partner-realm.ts';
import type { SyncDeps } from '../../src/services/sync.ts';
import { adminJson } from './keycloak-admin.ts';

const root = new URL('../..', import.meta.url).pathname;

export interface SyncJson {
  stopped: boolean;
  summary: { added: number; removed: number; changed: number };
  failures: { cloud: string; system?: string; part: string; code: string; message: string }[];
  targets: { home: string; cloud: string; system: string; changes: { op: string; description: string; applied: boolean }[] }[];
}

export interface CliRun { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

/** `fedbroker sync ...args` as a child process; `done` resolves when it exits (killed or not). */
export function startSyncCli(args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<CliRun> } {
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, 'bin/fedbroker.mjs'), 'sync', ...args], { cwd: root, env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (status, signal) => resolve({ status, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, done };
}

export function syncJson(run: CliRun): SyncJson {
  if (!run.stdout.trim().startsWith('{')) throw new Error(`sync printed no JSON (exit ${run.status}): ${run.stdout.slice(0, 300)} ${run.stderr.slice(0, 800)}`);
  return JSON.parse(run.stdout) as SyncJson;
}

/** Descriptions of the changes a run applied in `cloud`, per system. */
export function appliedIn(json: SyncJson, cloud: string): string[] {
  return json.targets.filter((t) => t.cloud === cloud).flatMap((t) => t.changes.filter((c) => c.applied).map((c) => `${t.system}: ${c.description}`));
}

/**
 * What the broker owns in partner `cloud` for home users of `home` whose names start with `prefix`:
 * realm users (enabled flag), their mirrored memberships, Keystone users and their memberships in
 * the broker's groups; sorted lines without server-made ids.
 */
export async function ownedSyncState(spec: FederationSpec, reader: SyncDeps, home: string, cloud: string, prefix: string): Promise<string[]> {
  const partner = spec.clouds.find((c) => c.alias === cloud)!;
  const ours = (name: string) => name.startsWith(`${home}.${prefix}`);
  const realm = await reader.partnerRealm(cloud).observe(partner.keycloak.realm, spec.metadata.name, home, mirroredGroups(spec, home, cloud).map((m) => m.path));
  const realmNames = new Map(realm.users.map((u) => [u.id, u.username]));
  const lines = realm.users.filter((u) => ours(u.username)).map((u) => `realm user ${u.username} enabled=${u.enabled}`);
  for (const g of realm.groups) for (const id of g.memberIds) if (ours(realmNames.get(id) ?? '')) lines.push(`realm member ${realmNames.get(id)} ${g.path}`);
  const keystone = reader.keystone(cloud);
  if (keystone) {
    const observed = await keystone.observe(spec.metadata.name, policyGroups(spec, home, partner).map((pg) => domainScopedName(pg.group.domain, pg.group.name)));
    const ksNames = new Map(observed.users.map((u) => [u.id, u.uniqueId]));
    lines.push(...observed.users.filter((u) => ours(u.uniqueId)).map((u) => `keystone user ${u.uniqueId}`));
    for (const g of observed.groups) for (const id of g.memberIds) if (ours(ksNames.get(id) ?? '')) lines.push(`keystone member ${ksNames.get(id)} ${g.name}`);
  }
  return lines.sort();
}

/** Adds (or removes) each home user to (from) the home group, a few requests at a time. */
export async function setHomeMembership(realm: string, userIds: readonly string[], groupId: string, member: boolean): Promise<void> {
  for (let i = 0; i < userIds.length; i += 8) {
    await Promise.all(userIds.slice(i, i + 8).map((id) => adminJson(`/admin/realms/${realm}/users/${id}/groups/${groupId}`, { method: member ? 'PUT' : 'DELETE' })));
  }
}

/** A reproducible random source (mulberry32) so a failing trial can be replayed from its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
