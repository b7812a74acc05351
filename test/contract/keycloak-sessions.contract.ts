// Conformance suite of the Keycloak sessions port logout uses (KeycloakSessionsPort): users by id
// and name, their sessions, ending them, the realm's LOGOUT events. The fake (unit) and the real
// adapter (integration) run the same checks, so the fake keeps the real semantics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KeycloakSessionsPort } from '../../src/ports.ts';

export interface SessionsUser {
  readonly id: string;
  readonly username: string;
  /** Opens one more session of the user (a login). */
  login(): Promise<void>;
}

export interface KeycloakSessionsFixture {
  readonly port: KeycloakSessionsPort;
  /** The realm every call names. */
  readonly realm: string;
  /** A fresh local user of the realm (no identity-provider link), no session yet. */
  newUser(): Promise<SessionsUser>;
  /** A fresh identity provider of the realm with its logout hand-over on, and a way to read it back (not through the port). */
  newIdentityProvider(): Promise<{ readonly alias: string; handover(): Promise<boolean>; clientId(): Promise<string | undefined> }>;
}

export function keycloakSessionsContract(name: string, make: () => Promise<KeycloakSessionsFixture>): void {
  describe(`KeycloakSessionsPort contract: ${name}`, () => {
    it('finds a user by id and by name, with their (empty) identity-provider links; nobody for unknown ones', async () => {
      const { port, realm, newUser } = await make();
      const user = await newUser();
      const byId = await port.userById(realm, user.id);
      assert.deepEqual([byId?.id, byId?.username, byId?.federatedIdentities], [user.id, user.username, []]);
      assert.deepEqual((await port.findUsers(realm, { by: 'username', username: user.username })).map((u) => u.id), [user.id]);
      assert.deepEqual((await port.findUsers(realm, { by: 'id', id: user.id })).map((u) => u.id), [user.id]);
      assert.equal(await port.userById(realm, '00000000-0000-4000-8000-000000000000'), undefined);
      assert.deepEqual(await port.findUsers(realm, { by: 'username', username: `no-such-user-${Date.now()}` }), []);
      assert.deepEqual(await port.findUsers(realm, { by: 'id', id: '00000000-0000-4000-8000-000000000000' }), []);
    });

    it('lists a user\'s sessions with their start and ends every one of them', async () => {
      const { port, realm, newUser } = await make();
      const user = await newUser();
      assert.deepEqual(await port.sessions(realm, user.id), []);
      const before = Date.now();
      await user.login();
      await user.login();
      const sessions = await port.sessions(realm, user.id);
      assert.equal(sessions.length, 2, JSON.stringify(sessions));
      assert.equal(new Set(sessions.map((s) => s.id)).size, 2, 'distinct session ids');
      for (const s of sessions) {
        // Keycloak keeps whole seconds; clocks of one machine.
        assert.ok(s.startedAt >= Math.floor(before / 1000) * 1000 - 2000 && s.startedAt <= Date.now() + 2000, `start ${s.startedAt} around ${before}`);
      }
      await port.logoutUser(realm, user.id);
      assert.deepEqual(await port.sessions(realm, user.id), []);
      await port.logoutUser(realm, user.id);
    });

    it('ends one session and leaves the others; a session that is gone is no error', async () => {
      const { port, realm, newUser } = await make();
      const user = await newUser();
      await user.login();
      await user.login();
      const [first, second] = await port.sessions(realm, user.id);
      assert.ok(first && second);
      await port.endSession(realm, first.id);
      assert.deepEqual((await port.sessions(realm, user.id)).map((s) => s.id), [second.id]);
      await port.endSession(realm, first.id);
      await port.endSession(realm, second.id);
      assert.deepEqual(await port.sessions(realm, user.id), []);
    });

    it('answers no sessions for an unknown user, and ending them is no error', async () => {
      const { port, realm } = await make();
      const nobody = '00000000-0000-4000-8000-000000000000';
      assert.deepEqual(await port.sessions(realm, nobody), []);
      await port.logoutUser(realm, nobody);
    });

    it('turns an identity provider\'s logout hand-over off and on again (twice the same is no error), nothing else of it', async () => {
      const { port, realm, newIdentityProvider } = await make();
      const idp = await newIdentityProvider();
      assert.equal(await idp.handover(), true);
      const clientId = await idp.clientId();
      await port.setLogoutHandover(realm, idp.alias, false);
      assert.equal(await idp.handover(), false);
      await port.setLogoutHandover(realm, idp.alias, false);
      assert.equal(await idp.handover(), false);
      await port.setLogoutHandover(realm, idp.alias, true);
      assert.equal(await idp.handover(), true);
      assert.equal(await idp.clientId(), clientId, 'the rest of its configuration stays');
    });

    it('pages LOGOUT events from a time on, oldest first; none from the future', async () => {
      const { port, realm } = await make();
      const events = await port.logoutEvents(realm, 0, 0, 5);
      assert.ok(events.length <= 5);
      for (let i = 1; i < events.length; i += 1) assert.ok(events[i - 1]!.time <= events[i]!.time, 'oldest first');
      for (const e of events) assert.ok(e.id && e.userId, JSON.stringify(e));
      assert.deepEqual(await port.logoutEvents(realm, Date.now() + 3_600_000, 0, 5), []);
    });
  });
}
