// Write calls the broker made to Keystone and Kubernetes, counted where they land: each Keystone's
// Apache access log (method and path of every request) and each kube-apiserver's request metrics
// for the kinds the broker writes. Token requests and federated logins are not writes of state.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kubeAdminFetch, testbedCluster } from '../integration/kubernetes-testbed.ts';
import { loadTestbed, testbedDir } from './testbed.ts';

const WRITE = /"(POST|PUT|PATCH|DELETE) (\S+) HTTP/;
const NOT_STATE = [/^\/v3\/auth\/tokens$/, /^\/v3\/OS-FEDERATION\/identity_providers\/[^/]+\/protocols\/[^/]+\/auth$/];
const BROKER_KINDS = new Set(['rolebindings', 'clusterrolebindings', 'roles', 'clusterroles', 'namespaces']);
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY', 'CREATE', 'UPDATE']);

export interface WireWrites {
  /** Per cloud: the write requests in its Keystone's access log so far (method and path). */
  readonly keystone: Record<string, string[]>;
  /** Per cloud: the apiserver's count of write requests for RBAC objects and namespaces so far. */
  readonly kubernetes: Record<string, number>;
  /** Per cloud: the authentication config file's modification time. */
  readonly authenticationConfig: Record<string, number>;
}

/** The write requests (method and path) in a cloud's Keystone access log so far. */
export function keystoneWireWrites(cloud: string): string[] {
  const log = join(testbedDir(), 'logs', `apache-keystone-${cloud}.log`);
  if (!existsSync(log)) throw new Error(`no Keystone access log for ${cloud} at ${log}`);
  return readFileSync(log, 'utf8').split('\n').flatMap((line) => {
    const m = WRITE.exec(line);
    if (!m) return [];
    const path = m[2]!.split('?')[0]!;
    return NOT_STATE.some((re) => re.test(path)) ? [] : [`${m[1]} ${path}`];
  });
}

export async function wireWrites(): Promise<WireWrites> {
  const clouds = Object.keys(loadTestbed().clouds);
  const keystone: Record<string, string[]> = {};
  const kubernetes: Record<string, number> = {};
  const authenticationConfig: Record<string, number> = {};
  for (const cloud of clouds) {
    keystone[cloud] = keystoneWireWrites(cloud);
    const metrics = (await kubeAdminFetch(cloud, '/metrics')).text;
    kubernetes[cloud] = metrics.split('\n').filter((l) => l.startsWith('apiserver_request_total{')).reduce((sum, line) => {
      const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return BROKER_KINDS.has(labels['resource'] ?? '') && WRITE_VERBS.has(labels['verb'] ?? '') ? sum + Number(line.split(' ').pop()) : sum;
    }, 0);
    authenticationConfig[cloud] = statSync(testbedCluster(cloud).authenticationConfigFile).mtimeMs;
  }
  return { keystone, kubernetes, authenticationConfig };
}

/** The writes between two readings, per system and cloud; empty lists/zeros when nothing was written. */
export function writesBetween(before: WireWrites, after: WireWrites): { keystone: Record<string, string[]>; kubernetes: Record<string, number>; authenticationConfig: Record<string, boolean> } {
  const clouds = Object.keys(after.keystone);
  return {
    keystone: Object.fromEntries(clouds.map((c) => [c, after.keystone[c]!.slice(before.keystone[c]!.length)])),
    kubernetes: Object.fromEntries(clouds.map((c) => [c, after.kubernetes[c]! - before.kubernetes[c]!])),
    authenticationConfig: Object.fromEntries(clouds.map((c) => [c, after.authenticationConfig[c] !== before.authenticationConfig[c]])),
  };
}
