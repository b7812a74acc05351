// Helpers for tests that run the broker against the real test bed: the CLI, spec variants, and
// Keycloak admin adapters whose HTTP writes are counted.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { keycloakHttpOut } from '../../src/adapters/keycloak/factory.ts';
import { KeycloakAdmin } from '../../src/adapters/keycloak/admin.ts';
import { KeycloakHomeMetadata } from '../../src/adapters/keycloak/home-metadata.ts';
import { keycloakAdminCredentials } from '../../src/adapters/keycloak/client.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import type { HomeMetadataPort, KeycloakAdminPort } from '../../src/ports.ts';
import type { OnboardingDeps } from '../../src/services/onboarding.ts';
import { keycloakSystem } from '../../src/services/systems/keycloak.ts';
import { EXAMPLE_SPEC_PATH, exampleDoc, exampleSpec, type MutableDoc } from './example-federation.ts';

const root = new URL('../..', import.meta.url).pathname;
export const DEMO_SPEC = EXAMPLE_SPEC_PATH;
export const SPEC_DIR = dirname(EXAMPLE_SPEC_PATH);

export function fedbroker(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(root, 'bin/fedbroker.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
}

/** Like `fedbroker`, without blocking this process (for tests that serve something to the CLI). */
export function fedbrokerAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/fedbroker.mjs'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('exit', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

/** Runs `fedbroker apply --yes` and SIGKILLs it after the k-th applied step; resolves with the steps seen. */
export function applyAndKillAfter(spec: string, k: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/fedbroker.mjs'), 'apply', spec, '--yes'], { cwd: root });
    let done = 0;
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      done += lines.filter((l) => /^\[\d+\/\d+\] .*: done$/.test(l)).length;
      if (done >= k) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', () => resolvePromise(done));
  });
}

/** Writes a variant of the demo spec (secret and CA paths made absolute) and returns its path. */
export function writeSpecVariant(name: string, mutate: (doc: MutableDoc) => void): string {
  const doc = exampleDoc();
  mutate(doc);
  absolutizeFiles(doc);
  const dir = join(root, 'test-results', 'specs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

function absolutizeFiles(node: MutableDoc): void {
  if (Array.isArray(node)) { node.forEach(absolutizeFiles); return; }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'file' || key.endsWith('File')) && typeof value === 'string' && !isAbsolute(value)) node[key] = resolve(SPEC_DIR, value);
    else absolutizeFiles(value);
  }
}

/** Demo spec without cloud-c (and without the examples that mention it). */
export function withoutCloudC(doc: MutableDoc): void {
  doc.clouds = doc.clouds.filter((c: { alias: string }) => c.alias !== 'cloud-c');
  for (const rule of doc.policy) {
    rule.examples = rule.examples.filter((e: { target: string; subject: { homeCloud: string } }) => e.target !== 'cloud-c' && e.subject.homeCloud !== 'cloud-c');
  }
}

export interface CountedDeps extends OnboardingDeps {
  /** The Keycloak admin adapters the plan uses, and the home metadata reader (for direct observation). */
  keycloak(cloud: string): KeycloakAdminPort;
  readonly homeMetadata: HomeMetadataPort;
  /** Non-GET calls to Keycloak's admin API (token requests excluded). */
  writes(): number;
  close(): Promise<void>;
}

/** Onboarding dependencies over the real Keycloak, counting every write call on the wire. */
export async function countedDeps(spec: FederationSpec = exampleSpec(), baseDir = SPEC_DIR): Promise<CountedDeps> {
  let writes = 0;
  const admins = new Map<string, KeycloakAdmin>();
  for (const cloud of spec.clouds) {
    const http = await keycloakHttpOut(cloud, baseDir);
    admins.set(cloud.alias, new KeycloakAdmin({
      cloud: cloud.alias, baseUrl: cloud.keycloak.url, adminRealm: cloud.keycloak.admin.realm,
      credentials: await keycloakAdminCredentials(cloud, baseDir),
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : input.toString();
        const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
        if (method !== 'GET' && url.includes('/admin/realms/')) writes += 1;
        return http.fetch(input, init);
      },
      close: () => http.close(),
    }));
  }
  const keycloak = (cloud: string) => admins.get(cloud) as KeycloakAdmin;
  const homeMetadata = new KeycloakHomeMetadata({ baseDir });
  return {
    systems: [keycloakSystem({ admin: keycloak, homeMetadata })],
    keycloak,
    homeMetadata,
    writes: () => writes,
    close: async () => { for (const a of admins.values()) await a.close(); },
  };
}
