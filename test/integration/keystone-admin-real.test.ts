// The KeystoneAdminPort contract against a real test-bed Keystone (Zed behind Apache,
// scripts/testbed/up.sh). Fails, never skips, when the test bed is not running.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKeystoneAdmin } from '../../src/adapters/keystone/factory.ts';
import type { KeystoneAdmin } from '../../src/adapters/keystone/admin.ts';
import { KEYSTONE_SCOPE } from '../../src/core/render/keystone/model.ts';
import { keystoneAdminContract, rejectsWith } from '../contract/keystone-admin.contract.ts';
import { testbedKeystoneCloud } from '../support/keystone-testbed.ts';
import { loadTestbed } from '../support/testbed.ts';

process.env.FEDBROKER_TEST_WRONG_KEYSTONE_PASSWORD = 'not-the-password';
const opened: KeystoneAdmin[] = [];
async function realAdmin(alias: string, mutate?: (keystone: Record<string, unknown>) => void): Promise<KeystoneAdmin> {
  const admin = await createKeystoneAdmin(testbedKeystoneCloud(alias, mutate), '/');
  opened.push(admin);
  return admin;
}
after(async () => { for (const admin of opened) await admin.close(); });

keystoneAdminContract({ name: 'test-bed Keystone cloud-b', port: () => realAdmin('cloud-b'), demoCloud: 'cloud-b' });

describe('Keystone adapter against the test bed', () => {
  it('finds every test-bed Keystone (Zed) not to honour the rule\'s user domain', async () => {
    for (const alias of Object.keys(loadTestbed().clouds)) {
      const capabilities = await (await realAdmin(alias)).capabilities();
      assert.equal(capabilities.honoursRuleDomain, false, `${alias}: ${capabilities.evidence}`);
    }
  });

  it('translates a wrong admin password into ERR_KEYSTONE_AUTH and an unknown origin into a coded HTTP error', async () => {
    const wrong = await realAdmin('cloud-a', (k) => { k.admin = { username: 'admin', password: { env: 'FEDBROKER_TEST_WRONG_KEYSTONE_PASSWORD' } }; });
    await rejectsWith(wrong.observe(KEYSTONE_SCOPE, 'x', []), 'ERR_KEYSTONE_AUTH');
    const closed = await realAdmin('cloud-a', (k) => { k.url = 'https://127.0.0.1:1'; });
    await rejectsWith(closed.capabilities(), 'ERR_HTTP_UNREACHABLE');
  });
});
