// The role-sync port contracts on the fakes; test/integration/sync-ports-real.test.ts runs them on the real adapters.
import { FakeKeystoneSync, FakePartnerRealmSync } from '../../src/adapters/fakes/sync.ts';
import { managedMarkers } from '../../src/core/managed.ts';
import { keystoneSyncContract, partnerRealmSyncContract } from '../contract/sync-ports.contract.ts';

const federation = 'scs-demo';
let n = 0;

partnerRealmSyncContract('fake', async () => {
  const port = new FakePartnerRealmSync('cloud-b');
  port.addGroup('/cloud-a:/projects/p1/members', Object.fromEntries(Object.entries(managedMarkers(federation)).map(([k, v]) => [k, [v]])));
  port.addGroup('/cloud-a:/hand-made', {});
  return { port, realm: 'cloud-b', federation, home: 'cloud-a', ownedGroup: '/cloud-a:/projects/p1/members', handMadeGroup: '/cloud-a:/hand-made',
    newUsername: () => `cloud-a.user${++n}`, addHandMadeUser: async (username) => { port.addUserByHand(username); },
    startSession: async (userId) => { port.sessions.set(userId, (port.sessions.get(userId) ?? 0) + 1); },
    sessionCount: async (userId) => port.sessions.get(userId) ?? 0 };
});

keystoneSyncContract('fake', async () => {
  const port = new FakeKeystoneSync('cloud-b');
  port.addGroup('fed-cloud-a/p1-members', federation);
  // A token is "<user id>:<revocations when issued>": refused once the user has been revoked since.
  const revocations = (userId: string) => port.revocations.get(userId) ?? 0;
  return { port, federation, ownedGroup: 'fed-cloud-a/p1-members', newUniqueId: () => `cloud-a.user${++n}`,
    userWithCredentials: async (credentials) => {
      const userId = await port.createFederatedUser(`local-user${++n}`);
      for (let i = 0; i < credentials; i++) port.addApplicationCredential(userId);
      return { userId, token: `${userId}:${revocations(userId)}` };
    },
    tokenAccepted: async (token) => { const [userId, at] = token.split(':'); return port.users.has(userId!) && revocations(userId!) === Number(at); },
    applicationCredentialCount: async (userId) => port.applicationCredentials.get(userId)?.size ?? 0 };
});
