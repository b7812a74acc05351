// Conformance suite of HomeAdminEventsPort (a home realm's admin events): the fake (unit) and the real
// adapter on Keycloak 26.7.3 (integration) answer the same way: the changes sync acts on, oldest
// first, from a time on (inclusive, to the millisecond), paged, and the broker's own writes marked
// with its admin identity.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HomeAdminEventsPort } from '../../src/ports.ts';

export interface AdminEventsFixture {
  readonly port: HomeAdminEventsPort;
  readonly realm: string;
  /** Someone at home removes a user from a group and then adds her back; answers the user id and a time just before. */
  removeAndAddBack(): Promise<{ userId: string; since: number }>;
  /** The broker (its own admin identity) updates a user; answers the user id and a time just before. */
  brokerWrite(): Promise<{ userId: string; since: number }>;
}

const forUser = (userId: string) => (e: { resourcePath: string }) => e.resourcePath.startsWith(`users/${userId}`);

export function adminEventsContract(name: string, make: () => Promise<AdminEventsFixture>): void {
  describe(`HomeAdminEventsPort contract: ${name}`, () => {
    it('lists a membership removed and added, oldest first, with the user in the path and who made it', async () => {
      const f = await make();
      const { userId, since } = await f.removeAndAddBack();
      const events = (await f.port.adminEvents(f.realm, since, 0, 100)).filter(forUser(userId));
      const memberships = events.filter((e) => e.resourceType === 'GROUP_MEMBERSHIP');
      assert.deepEqual(memberships.map((e) => e.operationType), ['DELETE', 'CREATE']);
      for (const e of memberships) {
        assert.match(e.resourcePath, new RegExp(`^users/${userId}/groups/[^/]+$`));
        assert.ok(e.time >= since && e.id.length > 0);
        assert.ok(e.authUserId, 'who made it');
        assert.notEqual(e.authUserId, await f.port.ownAdminUserId(), 'not the broker');
      }
      const times = events.map((e) => e.time);
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
    });

    it('starts at dateFrom inclusive, to the millisecond, and pages without overlap', async () => {
      const f = await make();
      const { userId, since } = await f.removeAndAddBack();
      const all = (await f.port.adminEvents(f.realm, since, 0, 100)).filter(forUser(userId));
      const last = all.at(-1)!;
      assert.ok((await f.port.adminEvents(f.realm, last.time, 0, 100)).some((e) => e.id === last.id), 'inclusive');
      assert.ok(!(await f.port.adminEvents(f.realm, last.time + 1, 0, 100)).some((e) => e.id === last.id), 'exact to the ms');
      const page1 = await f.port.adminEvents(f.realm, since, 0, 1);
      const page2 = await f.port.adminEvents(f.realm, since, 1, 1);
      assert.equal(page1.length, 1);
      assert.equal(page2.length, 1);
      assert.notEqual(page1[0]!.id, page2[0]!.id);
    });

    it('marks the broker\'s own writes with its admin identity', async () => {
      const f = await make();
      const own = await f.port.ownAdminUserId();
      assert.ok(own);
      const { userId, since } = await f.brokerWrite();
      const events = (await f.port.adminEvents(f.realm, since, 0, 100)).filter(forUser(userId));
      assert.ok(events.length > 0);
      for (const e of events) assert.equal(e.authUserId, own);
    });
  });
}
