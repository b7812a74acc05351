// The HomeAdminEventsPort contract on the fake; test/integration/admin-events-real.test.ts runs it on Keycloak.
import { FakeHomeAdminEvents } from '../../src/adapters/fakes/home.ts';
import { adminEventsContract } from '../contract/admin-events.contract.ts';

let clock = 1_000;
let n = 0;

adminEventsContract('fake', async () => {
  const port = new FakeHomeAdminEvents('cloud-a');
  return {
    port, realm: 'cloud-a',
    removeAndAddBack: async () => {
      const userId = `u${++n}`;
      const since = ++clock;
      port.record(++clock, 'DELETE', 'GROUP_MEMBERSHIP', `users/${userId}/groups/g1`);
      port.record(++clock, 'CREATE', 'GROUP_MEMBERSHIP', `users/${userId}/groups/g1`);
      return { userId, since };
    },
    brokerWrite: async () => {
      const userId = `u${++n}`;
      const since = ++clock;
      port.record(++clock, 'UPDATE', 'USER', `users/${userId}`, true);
      return { userId, since };
    },
  };
});
