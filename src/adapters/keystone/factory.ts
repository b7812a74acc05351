// Builds the Keystone admin adapter of one cloud from its spec entry: resolves the admin password,
// reads the CA bundle (paths relative to the spec's folder) and guards every call with HttpOut,
// which may call the cloud's Keystone origin only.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BrokerError } from '../../core/errors.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import { HttpOut } from '../http-out.ts';
import { resolveSecret } from '../secrets.ts';
import { KeystoneAdmin } from './admin.ts';

export async function createKeystoneAdmin(cloud: CloudSpec, baseDir: string): Promise<KeystoneAdmin> {
  const keystone = cloud.keystone;
  if (!keystone) {
    throw new BrokerError('ERR_CONFIG_INVALID', `cloud ${cloud.alias} has no keystone section`, { details: { cloud: cloud.alias } });
  }
  let caPem: string[] = [];
  if (keystone.caFile) {
    try {
      caPem = [await readFile(resolve(baseDir, keystone.caFile), 'utf8')];
    } catch (cause) {
      throw new BrokerError('ERR_CONFIG_INVALID', `the CA bundle of cloud ${cloud.alias}'s Keystone cannot be read (${keystone.caFile})`,
        { cause, details: { cloud: cloud.alias, caFile: keystone.caFile } });
    }
  }
  const { admin } = keystone;
  const password = await resolveSecret(admin.password, baseDir);
  const http = new HttpOut({ allowedOrigins: [new URL(keystone.url).origin], caPem });
  return new KeystoneAdmin({
    cloud: cloud.alias, url: keystone.url, fetch: http.fetch, close: () => http.close(),
    credentials: { username: admin.username, password, userDomain: admin.userDomain, project: admin.project, projectDomain: admin.projectDomain },
  });
}
