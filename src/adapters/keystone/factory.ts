// Builds the Keystone client of one cloud from its spec entry (resolved admin password, the CA bundle,
// HttpOut that may call the cloud's Keystone origin only), and the adapters over it: the admin
// adapter here, the logout revocation in ../logout/keystone-revocation.ts. One client per cloud: one
// admin token cache, one 401 renewal, one error translation.
import { BrokerError } from '../../core/errors.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import { caBundle } from '../ca-files.ts';
import { HttpOut, type HttpOutOptions } from '../http-out.ts';
import { resolveSecret } from '../secrets.ts';
import { KeystoneAdmin } from './admin.ts';
import { KeystoneRest } from './rest.ts';

export interface KeystoneClient {
  readonly rest: KeystoneRest;
  /** Releases the HttpOut's connections. */
  close(): Promise<void>;
}

export async function createKeystoneClient(cloud: CloudSpec, baseDir: string, options: { onRequest?: HttpOutOptions['onRequest'] } = {}): Promise<KeystoneClient> {
  const keystone = cloud.keystone;
  if (!keystone) {
    throw new BrokerError('ERR_CONFIG_INVALID', `cloud ${cloud.alias} has no keystone section`, { details: { cloud: cloud.alias } });
  }
  const caPem = await caBundle(keystone.caFile, baseDir, { cloud: cloud.alias, server: 'Keystone' });
  const { admin } = keystone;
  const password = await resolveSecret(admin.password, baseDir);
  const http = new HttpOut({ allowedOrigins: [new URL(keystone.url).origin], caPem, ...(options.onRequest && { onRequest: options.onRequest }) });
  const rest = new KeystoneRest({
    cloud: cloud.alias, url: keystone.url, fetch: http.fetch,
    credentials: { username: admin.username, password, userDomain: admin.userDomain, project: admin.project, projectDomain: admin.projectDomain },
  });
  return { rest, close: () => http.close() };
}

export async function createKeystoneAdmin(cloud: CloudSpec, baseDir: string): Promise<KeystoneAdmin> {
  const client = await createKeystoneClient(cloud, baseDir);
  return new KeystoneAdmin({ rest: client.rest, close: () => client.close() });
}
