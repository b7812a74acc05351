// Conformance suites of what the broker reads from a home cloud: the realm's users with their
// groups (HomeDirectoryPort, for explain) and the published identity-provider metadata
// (HomeMetadataPort, for plan). The fakes (unit) and the real Keycloak adapters (integration) run
// the same checks, so the fakes keep the real semantics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/core/errors.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { realmUrl } from '../../src/core/federation/realm-url.ts';
import type { HomeDirectoryPort, HomeMetadataPort } from '../../src/ports.ts';

export interface HomeDirectoryFixture {
  readonly port: HomeDirectoryPort;
  /** A user of the realm and their full group paths (any order). */
  readonly member: { readonly username: string; readonly groups: readonly string[] };
  /** A user of the realm in no group. */
  readonly loner: string;
}

export function homeDirectoryContract(name: string, make: () => Promise<HomeDirectoryFixture>): void {
  describe(`HomeDirectoryPort contract: ${name}`, () => {
    it('reads a user with their id and full group paths, sorted, at home in the port\'s cloud', async () => {
      const { port, member } = await make();
      const subject = await port.subject(member.username);
      assert.ok(subject, `user ${member.username}`);
      assert.equal(subject.homeCloud, port.cloud);
      assert.equal(subject.homeUsername, member.username);
      assert.ok(typeof subject.homeSub === 'string' && subject.homeSub !== '', 'the home id');
      assert.deepEqual(subject.groups, [...member.groups].sort());
      for (const g of subject.groups) assert.match(g, /^\//, 'a full group path');
    });

    it('reads a user in no group with an empty group list', async () => {
      const { port, loner } = await make();
      assert.deepEqual((await port.subject(loner))?.groups, []);
    });

    it('lists the realm\'s users with enabled flag and their memberships among the paths asked, never a guest', async () => {
      const { port, member, loner } = await make();
      const asked = [member.groups[0] as string, '/no/such/group'];
      const users = await port.users(asked);
      const byName = new Map(users.map((u) => [u.homeUsername, u]));
      assert.deepEqual(byName.get(member.username)?.groups, [member.groups[0]]);
      assert.equal(byName.get(member.username)?.enabled, true);
      assert.equal(byName.get(member.username)?.homeSub, (await port.subject(member.username))?.homeSub);
      assert.deepEqual(byName.get(loner)?.groups, []);
      for (const u of users) assert.equal(u.attributes['home_cloud'], undefined, `${u.homeUsername} is a guest`);
    });

    it('reads users by id like the full list does; an id the realm does not have is absent', async () => {
      const { port, member, loner } = await make();
      const asked = [member.groups[0] as string, '/no/such/group'];
      const all = new Map((await port.users(asked)).map((u) => [u.homeUsername, u]));
      const memberId = all.get(member.username)!.homeSub;
      const lonerId = all.get(loner)!.homeSub;
      const byIds = await port.usersByIds(asked, [memberId, lonerId, '00000000-0000-4000-8000-000000000000', memberId]);
      assert.deepEqual(byIds.map((u) => u.homeUsername).sort(), [member.username, loner].sort());
      const read = byIds.find((u) => u.homeSub === memberId)!;
      const listed = all.get(member.username)!;
      assert.deepEqual([read.groups, read.enabled, read.homeUsername], [listed.groups, listed.enabled, listed.homeUsername]);
      assert.deepEqual(await port.usersByIds(asked, []), []);
    });

    it('answers undefined for a name that is no user, and for a prefix of a user\'s name (exact match)', async () => {
      const { port, member } = await make();
      assert.equal(await port.subject(`no-such-user-${Date.now()}`), undefined);
      assert.equal(await port.subject(member.username.slice(0, -1)), undefined);
    });
  });
}

export interface HomeMetadataFixture {
  readonly port: HomeMetadataPort;
  /** A cloud offering OIDC as home, its realm published. */
  readonly oidc: CloudSpec;
  /** A cloud offering SAML as home, its realm published. */
  readonly saml: CloudSpec;
}

export function homeMetadataContract(name: string, make: () => Promise<HomeMetadataFixture>): void {
  describe(`HomeMetadataPort contract: ${name}`, () => {
    it('reads an OIDC home: the realm URL is the issuer, every endpoint lives under it', async () => {
      const { port, oidc } = await make();
      const realm = realmUrl(oidc.keycloak.url, oidc.keycloak.realm);
      const metadata = await port.read(oidc);
      assert.ok(metadata.protocol === 'oidc', metadata.protocol);
      assert.equal(metadata.issuer, realm);
      assert.equal(metadata.authorizationEndpoint, `${realm}/protocol/openid-connect/auth`);
      assert.equal(metadata.tokenEndpoint, `${realm}/protocol/openid-connect/token`);
      assert.equal(metadata.jwksUri, `${realm}/protocol/openid-connect/certs`);
    });

    it('reads a SAML home: the realm URL is the entity id, a POST SSO endpoint and signing certificates', async () => {
      const { port, saml } = await make();
      const realm = realmUrl(saml.keycloak.url, saml.keycloak.realm);
      const metadata = await port.read(saml);
      assert.ok(metadata.protocol === 'saml', metadata.protocol);
      assert.equal(metadata.entityId, realm);
      assert.equal(metadata.singleSignOnServiceUrl, `${realm}/protocol/saml`);
      assert.ok(metadata.signingCertificates.length >= 1);
      for (const cert of metadata.signingCertificates) assert.match(cert, /^MII[A-Za-z0-9+/]+={0,2}$/);
    });

    it('says ERR_KEYCLOAK_REALM_NOT_FOUND, naming the cloud and realm, for a realm that does not exist', async () => {
      const { port, oidc } = await make();
      const missing = { ...oidc, keycloak: { ...oidc.keycloak, realm: `no-such-realm-${Date.now()}` } };
      await assert.rejects(port.read(missing), (e: unknown) => {
        assert.ok(isBrokerError(e, 'ERR_KEYCLOAK_REALM_NOT_FOUND'), String(e));
        assert.equal(e.details['cloud'], oidc.alias);
        assert.equal(e.details['realm'], missing.keycloak.realm);
        return true;
      });
    });
  });
}
