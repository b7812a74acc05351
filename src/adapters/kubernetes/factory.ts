// Builds the Kubernetes adapter of one cluster from its spec entry: resolves the token, reads the CA
// (paths relative to the spec's folder) and guards every call with HttpOut, which may call the
// cluster's API origin only. The authentication config file is optional (the spec names none yet).
import { resolve } from 'node:path';
import type { ClusterSpec } from '../../core/render/kubernetes/rbac.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import { caBundle } from '../ca-files.ts';
import { HttpOut, type FetchLike } from '../http-out.ts';
import { resolveSecret } from '../secrets.ts';
import { KubernetesAdmin } from './admin.ts';
import { AuthenticationConfigFile } from './authn-config-file.ts';
import { KubeRest } from './rest.ts';

export interface KubernetesAdminFactoryOptions {
  /** The file the cluster's apiserver reads with --authentication-config (relative to baseDir). */
  readonly authenticationConfigFile?: string;
  /** How long apply waits for a new authentication config to be active (default 60 s; 0: no wait). */
  readonly reloadTimeoutMs?: number;
  /** Wraps the guarded fetch (tests count requests with it). */
  readonly wrapFetch?: (fetch: FetchLike) => FetchLike;
  readonly timeoutMs?: number;
}

/** The HTTP module for one cluster: its API origin only, its CA (plus the system CAs). */
export async function kubernetesHttpOut(cloud: CloudSpec, cluster: ClusterSpec, baseDir: string, timeoutMs?: number): Promise<HttpOut> {
  const caPem = await caBundle(cluster.caFile, baseDir, { cloud: cloud.alias, server: `Kubernetes cluster ${cluster.name}` });
  return new HttpOut({ allowedOrigins: [new URL(cluster.apiUrl).origin], caPem, ...(timeoutMs !== undefined && { timeoutMs }) });
}

export async function createKubernetesAdmin(cloud: CloudSpec, cluster: ClusterSpec, baseDir: string, options: KubernetesAdminFactoryOptions = {}): Promise<KubernetesAdmin> {
  const token = await resolveSecret(cluster.token, baseDir);
  const http = await kubernetesHttpOut(cloud, cluster, baseDir, options.timeoutMs);
  const fetch = options.wrapFetch ? options.wrapFetch(http.fetch) : http.fetch;
  const rest = new KubeRest({ cloud: cloud.alias, cluster: cluster.name, baseUrl: cluster.apiUrl, token, fetch });
  const authenticationConfig = options.authenticationConfigFile === undefined ? undefined : new AuthenticationConfigFile({
    cloud: cloud.alias, cluster: cluster.name, path: resolve(baseDir, options.authenticationConfigFile),
    metrics: async () => (await rest.call('/metrics', { accept: 'text/plain', object: 'metrics' })).text,
  });
  return new KubernetesAdmin({
    rest, ...(authenticationConfig && { authenticationConfig }),
    ...(options.reloadTimeoutMs !== undefined && { reloadTimeoutMs: options.reloadTimeoutMs }),
    close: () => http.close(),
  });
}

/** The CA (PEM) of a cloud's Keycloak, for the issuer section of the authentication config; undefined without caFile. */
export async function keycloakIssuerCaPem(cloud: CloudSpec, baseDir: string): Promise<string | undefined> {
  const [pem] = await caBundle(cloud.keycloak.caFile, baseDir, { cloud: cloud.alias, server: 'Keycloak' });
  return pem;
}
