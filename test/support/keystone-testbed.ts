// The demo spec's clouds pointed at the running test bed's Keystones (absolute CA and secret paths).
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from './example-federation.ts';
import { loadTestbed, testbedCloud } from './testbed.ts';

export function testbedKeystoneCloud(alias: string, mutate: (keystone: Record<string, unknown>) => void = () => {}): CloudSpec {
  const { caFile } = loadTestbed();
  const { keystone } = testbedCloud(alias);
  const spec = exampleSpec((doc) => {
    const cloud = doc.clouds.find((c: { alias: string }) => c.alias === alias);
    cloud.keystone.url = keystone.url;
    cloud.keystone.caFile = caFile;
    cloud.keystone.admin = { username: keystone.adminUser, password: { file: keystone.adminPasswordFile } };
    mutate(cloud.keystone);
  });
  return spec.clouds.find((c) => c.alias === alias) as CloudSpec;
}
