// The conformance suite of KeycloakAdminPort: the real adapter (against the test bed) and the fake
// both run it, so the fake keeps the real one's semantics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import type { JsonValue } from '../../src/core/json.ts';
import { compareFields } from '../../src/core/plan/compare.ts';
import { diff, isEmptyPlan, type Change } from '../../src/core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { isSecretFromClient } from '../../src/core/render/keycloak/client-secret.ts';
import { KEYCLOAK_KIND_ORDER, type KeycloakObject } from '../../src/core/render/keycloak/model.ts';
import { REQUIRED_EVENT_TYPES } from '../../src/core/render/keycloak/partner-realm.ts';
import type { KeycloakAdminPort } from '../../src/ports.ts';
import { create, newRun, ofFederation, pick, remove, unmarked, update, withFields, type Loose, type Run } from './keycloak-fixtures.ts';

export interface KeycloakContractOptions {
  readonly name: string;
  /** The port under test; called once per suite. */
  port(): Promise<KeycloakAdminPort>;
  /** Three existing realms, each with the clients `openstack` and `kubernetes` (demo clouds a, b, c). */
  readonly realms: readonly [string, string, string];
  /** Runs once after the suite and its clean-up (e.g. to restore shared realm settings). */
  cleanup?(): Promise<void>;
}

export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => { assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`); return true; });
}

export function keycloakAdminContract(options: KeycloakContractOptions): void {
  const [first, second] = options.realms;
  let port: KeycloakAdminPort;
  let run: Run;
  const otherFederation = () => `${run.federation}-other`;

  const observedAt = async (d: DesiredObject, federation = run.federation): Promise<ObservedObject | undefined> =>
    (await port.observe(d.scope, federation, [d])).find((o) => o.kind === d.kind && o.name === d.name);
  const mustObserve = async (d: DesiredObject): Promise<ObservedObject> => {
    const o = await observedAt(d);
    assert.ok(o, `${d.kind} "${d.name}" is observed in realm ${d.scope}`);
    return o;
  };
  const removeAt = async (d: DesiredObject, federation = run.federation) => {
    const o = await observedAt(d, federation);
    if (o) await port.apply(remove({ ...o, managed: true }), {});
  };
  const at = (kind: KeycloakObject['kind'], match?: (o: Loose) => boolean, realm = first) => pick(run, port.cloud, realm, kind, match);
  const postBrokerFlow = () => at('authenticationFlow', (o) => o.name.startsWith('fedbroker-post-broker-login'));
  const firstBrokerFlow = () => at('authenticationFlow', (o) => o.name.startsWith('fedbroker-first-broker-login'));
  const writeOnly = (d: DesiredObject): Record<string, JsonValue> => (d.writeOnly ? { 'config.clientSecret': `contract-secret-${run.tag}` } : {});

  /** create → observed as ours and equal → conflict on re-create → update → observed changed → delete (twice) → gone. */
  async function lifecycle(d: KeycloakObject, change: (fields: Loose) => Loose, prerequisites: readonly KeycloakObject[] = []): Promise<void> {
    for (const p of prerequisites) await port.apply(create(p), writeOnly(p));
    try {
      await port.apply(create(d), writeOnly(d));
      const created = await mustObserve(d);
      assert.equal(created.managed, true);
      assert.deepEqual(compareFields(d.fields, created.fields), [], 'observed fields hold the desired ones');
      assert.ok((await port.observe(d.scope, run.federation, [])).some((o) => o.kind === d.kind && o.name === d.name), 'listed as ours without being asked for');
      await rejectsWith(port.apply(create(d), writeOnly(d)), 'ERR_CONFLICT');

      const changed = withFields(d, change);
      assert.notDeepEqual(compareFields(changed.fields, created.fields), [], 'the test changes something');
      await port.apply(update(changed, created), writeOnly(changed));
      const updated = await mustObserve(changed);
      assert.deepEqual(compareFields(changed.fields, updated.fields), [], 'observed fields hold the updated ones');

      await port.apply(remove(updated), {});
      assert.equal(await observedAt(d), undefined, 'gone after delete');
      await port.apply(remove(updated), {});
    } finally {
      await removeAt(d);
      for (const p of [...prerequisites].reverse()) await removeAt(p);
    }
  }

  describe(`KeycloakAdminPort contract: ${options.name}`, () => {
    before(async () => {
      port = await options.port();
      run = newRun(options.realms);
    });

    after(async () => {
      for (const realm of options.realms) {
        for (const federation of [run.federation, otherFederation()]) {
          const leftovers = (await port.observe(realm, federation, [])).filter((o) => o.managed);
          for (const change of diff([], leftovers, KEYCLOAK_KIND_ORDER).changes) await port.apply(change, {}).catch(() => undefined);
        }
      }
      await options.cleanup?.();
    });

    it('tells existing realms from unknown ones, and refuses to observe an unknown realm', async () => {
      assert.equal(await port.realmExists(first), true);
      assert.equal(await port.realmExists(`no-such-realm-${run.tag}`), false);
      await rejectsWith(port.observe(`no-such-realm-${run.tag}`, run.federation, []), 'ERR_KEYCLOAK_REALM_NOT_FOUND');
    });

    it('adjusts shared realm event settings by adding event types, never dropping any', async () => {
      const d = withFields(at('realmEvents'), (f) => ({ ...f, enabledEventTypes: { $includes: [...REQUIRED_EVENT_TYPES, 'UPDATE_EMAIL'] } }));
      const before = await mustObserve(d);
      assert.equal(before.managed, false, 'shared settings are never the broker\'s');
      await port.apply(update(d, before), {});
      const after = await mustObserve(d);
      assert.deepEqual(compareFields(d.fields, after.fields), []);
      const had = before.fields['eventsEnabled'] === true ? before.fields['enabledEventTypes'] as string[] : [];
      for (const type of had) assert.ok((after.fields['enabledEventTypes'] as string[]).includes(type), `${type} kept`);
      await port.apply(remove(after), {});
      assert.ok(await observedAt(d), 'a delete leaves shared settings in place');
    });

    it('user-profile attribute: create, update, delete', async () => {
      await lifecycle(at('userProfileAttribute'), (f) => ({ ...f, displayName: `changed ${run.tag}` }));
    });

    it('group: nested under "<home>:", create, update, delete', async () => {
      const chain = run.objects.filter((o) => o.kind === 'group' && o.name.startsWith(`/${run.aliases[0]}:`) && o.name.endsWith('/members'))[0];
      assert.ok(chain);
      const parts = chain.name.split('/').slice(1);
      const parents = parts.slice(0, -1).map((_, i) => at('group', (o) => o.name === `/${parts.slice(0, i + 1).join('/')}`));
      await lifecycle(at('group', (o) => o.name === chain.name), (f) => ({ ...f, attributes: { ...f.attributes, note: [`changed ${run.tag}`] } }), parents);
    });

    it('OIDC client: create, update (mappers added, changed, removed), delete', async () => {
      await lifecycle(at('client', (o) => o.fields.protocol === 'openid-connect'), (f) => ({
        ...f, name: `changed ${run.tag}`, redirectUris: [...f.redirectUris, 'https://127.0.0.1:17443/extra'],
        attributes: { ...f.attributes, 'pkce.code.challenge.method': 'plain' },
        protocolMappers: [
          ...f.protocolMappers.filter((m: Loose) => m.name !== 'email' && m.name !== 'groups'),
          { ...f.protocolMappers.find((m: Loose) => m.name === 'groups'), config: { 'claim.name': 'fed_groups', 'full.path': 'true', 'access.token.claim': 'true', 'id.token.claim': 'false', 'userinfo.token.claim': 'false' } },
          { name: `audience-${run.tag}`, protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.custom.audience': 'extra', 'access.token.claim': 'true', 'id.token.claim': 'false' } },
        ],
      }));
    });

    it('SAML client: create, update, delete', async () => {
      await lifecycle(at('client', (o) => o.fields.protocol === 'saml'), (f) => ({
        ...f, attributes: { ...f.attributes, 'saml.server.signature': 'false' },
        protocolMappers: f.protocolMappers.filter((m: Loose) => m.name !== 'email'),
      }));
    });

    it('client scope with protocol mappers: create, update, delete', async () => {
      await lifecycle(at('clientScope'), (f) => ({
        ...f, description: `changed ${run.tag}`,
        protocolMappers: f.protocolMappers.map((m: Loose) => m.name === 'groups' ? { ...m, config: { ...m.config, 'full.path': 'false' } } : m),
      }));
    });

    it('default client scope of a partner\'s own client: attach, re-attach, detach', async () => {
      const link = at('clientDefaultScope', (o) => o.fields.clientId === 'openstack');
      const scope = at('clientScope', (o) => o.name === link.fields['clientScope']);
      await port.apply(create(scope), {});
      try {
        await port.apply(create(link), {});
        const observed = await mustObserve(link);
        assert.equal(observed.managed, true, 'a link to our scope is ours');
        assert.deepEqual(compareFields(link.fields, observed.fields), []);
        await port.apply(update(link, observed), {});
        await port.apply(remove(observed), {});
        assert.equal(await observedAt(link), undefined);
        await port.apply(remove(observed), {});
        assert.equal(await port.clientExists(first, 'openstack'), true, 'detaching leaves the client');
      } finally {
        await removeAt(link);
        await removeAt(scope);
      }
    });

    it('access token lifespan of a partner\'s own client: set and read back (shared, never ours); a missing client is named', async () => {
      const lifespan = (seconds: number | '') => ({ system: 'keycloak', cloud: port.cloud, scope: first, kind: 'clientTokenLifespan', name: 'kubernetes',
        fields: { clientId: 'kubernetes', accessTokenLifespan: seconds }, shared: true }) satisfies DesiredObject;
      const before = await port.tokenLifetime(first, 'kubernetes');
      assert.equal(typeof before.realmSeconds, 'number');
      try {
        await port.apply(create(lifespan(240)), {});
        const observed = await mustObserve(lifespan(240));
        assert.equal(observed.managed, false, 'the client is the cloud\'s: its lifespan is adjusted, never owned');
        assert.deepEqual(compareFields(lifespan(240).fields, observed.fields), []);
        assert.deepEqual(await port.tokenLifetime(first, 'kubernetes'), { clientId: 'kubernetes', realm: first, realmSeconds: before.realmSeconds, clientSeconds: 240 });
        await port.apply(update(lifespan(180), observed), {});
        assert.equal((await port.tokenLifetime(first, 'kubernetes')).clientSeconds, 180);
        assert.equal(await port.clientExists(first, 'kubernetes'), true);
      } finally {
        await port.apply(create(lifespan(before.clientSeconds ?? '')), {});
      }
      assert.equal((await port.tokenLifetime(first, 'kubernetes')).clientSeconds, before.clientSeconds, 'restored');
      await rejectsWith(port.tokenLifetime(first, `no-such-client-${run.tag}`), 'ERR_KEYCLOAK_CLIENT_NOT_FOUND');
    });

    it('authentication flow with sub-flows and configs: create, update (config, order, sub-flow removed), delete', async () => {
      await lifecycle(postBrokerFlow(), (f) => {
        const [chained, , allow] = f.executions;
        const [condition, deny] = chained.executions;
        return { ...f, description: `${f.description} (changed ${run.tag})`, executions: [
          { ...allow, index: 0 },
          { ...chained, index: 1, requirement: 'REQUIRED', executions: [{ ...condition, config: { ...condition.config, attribute_expected_value: 'cloud-.*' } }, deny] },
        ] };
      });
    });

    it('authentication flow: an update adds back missing sub-flows with their executions, in order', async () => {
      const flow = postBrokerFlow();
      const bare = withFields(flow, (f) => ({ ...f, executions: [{ ...f.executions[2], index: 0 }] }));
      await port.apply(create(bare), {});
      try {
        await port.apply(update(flow, await mustObserve(bare)), {});
        const repaired = await mustObserve(flow);
        assert.deepEqual(compareFields(flow.fields, repaired.fields), []);
        await port.apply(update(flow, repaired), {});
        assert.deepEqual(compareFields(flow.fields, (await mustObserve(flow)).fields), [], 'a second update changes nothing');
      } finally {
        await removeAt(flow);
      }
    });

    it('an identity provider needs the flows it runs, and a flow in use is not deleted', async () => {
      const [first, flow] = [firstBrokerFlow(), postBrokerFlow()];
      const provider = at('identityProvider', (o) => o.fields.providerId === 'oidc');
      await port.apply(create(first), {});
      await rejectsWith(port.apply(create(provider), writeOnly(provider)), 'ERR_NOT_FOUND');
      await port.apply(create(flow), {});
      await port.apply(create(provider), writeOnly(provider));
      try {
        await rejectsWith(port.apply(remove(await mustObserve(flow)), {}), 'ERR_CONFLICT');
        await rejectsWith(port.apply(remove(await mustObserve(first)), {}), 'ERR_CONFLICT');
        assert.ok(await observedAt(flow), 'the flow is still there');
      } finally {
        await removeAt(provider);
        await removeAt(flow);
        await removeAt(first);
      }
      assert.equal(await observedAt(flow), undefined);
    });

    it('first broker login flow (nested alternative sub-flows): create, delete', async () => {
      await lifecycle(firstBrokerFlow(), (f) => ({ ...f, executions: f.executions.map((e: Loose) => e.authenticator === 'idp-review-profile'
        ? { ...e, config: { 'update.profile.on.first.login': 'on' } } : e) }));
    });

    it('OIDC identity provider: create with a write-only secret never reported, update, delete', async () => {
      const provider = at('identityProvider', (o) => o.fields.providerId === 'oidc');
      await lifecycle(provider, (f) => ({ ...f, displayName: `changed ${run.tag}`, config: { ...f.config, defaultScope: 'openid email' } }), [firstBrokerFlow(), postBrokerFlow()]);
    });

    it('SAML identity provider: create, update, delete', async () => {
      await lifecycle(at('identityProvider', (o) => o.fields.providerId === 'saml'), (f) => ({ ...f, config: { ...f.config, wantAssertionsSigned: 'false' } }), [firstBrokerFlow(), postBrokerFlow()]);
    });

    it('identity-provider mapper: create, update, delete', async () => {
      const mapper = at('identityProviderMapper', (o) => o.name.endsWith('/username'));
      const provider = at('identityProvider', (o) => o.name === mapper.fields['identityProviderAlias']);
      await lifecycle(mapper, (f) => ({ ...f, config: { ...f.config, template: `changed.${run.tag}` } }), [firstBrokerFlow(), postBrokerFlow(), provider]);
    });

    it('never reports a client secret, a provider secret or a SAML client\'s private key in observed fields', async () => {
      const flows = [firstBrokerFlow(), postBrokerFlow()];
      const provider = at('identityProvider', (o) => o.fields.providerId === 'oidc');
      const client = at('client', (o) => o.fields.protocol === 'openid-connect');
      const samlClient = withFields(at('client', (o) => o.fields.protocol === 'saml'), (f) => ({ ...f, attributes: { ...f.attributes, 'saml.client.signature': 'true' } }));
      for (const flow of flows) await port.apply(create(flow), {});
      await port.apply(create(provider), writeOnly(provider));
      await port.apply(create(client), {});
      await port.apply(create(samlClient), {});
      try {
        const text = JSON.stringify(await port.observe(first, run.federation, [provider, client, samlClient]));
        assert.ok(!text.includes(`contract-secret-${run.tag}`));
        assert.ok(!text.includes(await port.clientSecret(first, client.name)));
        assert.ok(!text.includes('private.key'));
      } finally {
        for (const o of [provider, client, samlClient, ...flows]) await removeAt(o);
      }
    });

    it('reads the secret of a created confidential client, and names a missing client', async () => {
      const client = at('client', (o) => o.fields.protocol === 'openid-connect');
      await port.apply(create(client), {});
      try {
        const secret = await port.clientSecret(first, client.name);
        assert.equal(typeof secret, 'string');
        assert.ok(secret.length > 0);
        assert.equal(await port.clientExists(first, client.name), true);
      } finally {
        await removeAt(client);
      }
      assert.equal(await port.clientExists(first, client.name), false);
      await rejectsWith(port.clientSecret(first, client.name), 'ERR_KEYCLOAK_CLIENT_NOT_FOUND');
    });

    it('reports an unmanaged object at a desired address as not ours, and ignores it otherwise', async () => {
      const d = at('client', (o) => o.fields.protocol === 'openid-connect');
      await port.apply(create(unmarked(d)), {});
      try {
        const o = await observedAt(d);
        assert.ok(o);
        assert.equal(o.managed, false);
        assert.equal((await port.observe(first, run.federation, [])).some((x) => x.kind === d.kind && x.name === d.name), false);
        assert.equal(diff([d], [o], KEYCLOAK_KIND_ORDER).summary.conflict, 1);
        await rejectsWith(port.apply({ action: 'conflict', key: 'x', desired: d, observed: o, fieldChanges: [] }, {}), 'ERR_CONFLICT');
      } finally {
        await removeAt(d);
      }
    });

    it('does not take objects of another federation for its own', async () => {
      const d = at('group', (o) => o.name === `/${run.aliases[1]}:`);
      await port.apply(create(ofFederation(d, otherFederation())), {});
      try {
        assert.equal((await port.observe(first, run.federation, [])).some((x) => x.kind === 'group' && x.name === d.name), false);
        assert.equal((await observedAt(d))?.managed, false);
        assert.equal((await observedAt(d, otherFederation()))?.managed, true);
      } finally {
        await removeAt(d, otherFederation());
      }
    });

    it('refuses to delete a group whose subtree holds a group it does not own', async () => {
      const top = at('group', (o) => o.name === `/${run.aliases[2]}:`);
      const child = at('group', (o) => o.name === `/${run.aliases[2]}:/projects`);
      await port.apply(create(top), {});
      await port.apply(create(unmarked(child)), {});
      try {
        await rejectsWith(port.apply(remove(await mustObserve(top)), {}), 'ERR_CONFLICT');
        assert.ok(await observedAt(child));
      } finally {
        await removeAt(child);
        await removeAt(top);
      }
    });

    it('keeps realms apart: the same names in two realms, changed and deleted independently', async () => {
      const inFirst = at('group', (o) => o.name === `/${run.aliases[0]}:`);
      const inSecond = at('group', (o) => o.name === `/${run.aliases[0]}:`, second);
      await port.apply(create(inFirst), {});
      await port.apply(create(inSecond), {});
      try {
        const changed = withFields(inFirst, (f) => ({ ...f, attributes: { ...f.attributes, note: ['first only'] } }));
        await port.apply(update(changed, await mustObserve(inFirst)), {});
        assert.equal(((await mustObserve(inSecond)).fields['attributes'] as Loose).note, undefined);
        await port.apply(remove(await mustObserve(inFirst)), {});
        assert.equal(await observedAt(inFirst), undefined);
        assert.equal((await mustObserve(inSecond)).managed, true);
      } finally {
        await removeAt(inFirst);
        await removeAt(inSecond);
      }
    });

    it('applies the whole demo federation, re-plans to no change, and offboards to nothing', async () => {
      const desired = run.objects.map((o) => ({ ...o, cloud: port.cloud }));
      const observeAll = async (wanted: readonly DesiredObject[]) =>
        (await Promise.all(options.realms.map((r) => port.observe(r, run.federation, wanted.filter((d) => d.scope === r))))).flat();
      const onboarding = diff(desired, await observeAll(desired), KEYCLOAK_KIND_ORDER);
      assert.equal(onboarding.summary.conflict, 0);
      for (const change of onboarding.changes) await port.apply(change, await resolveWriteOnly(change));
      const again = diff(desired, await observeAll(desired), KEYCLOAK_KIND_ORDER);
      assert.ok(isEmptyPlan(again), `re-plan is empty, got: ${JSON.stringify(again.changes.filter((c) => c.action !== 'noop').map((c) => [c.key, c.fieldChanges]))}`);
      const offboarding = diff([], await observeAll([]), KEYCLOAK_KIND_ORDER);
      for (const change of offboarding.changes) await port.apply(change, {});
      assert.deepEqual((await observeAll([])).filter((o) => o.managed).map((o) => `${o.kind}/${o.name}`), []);
    });
  });

  async function resolveWriteOnly(change: Change): Promise<Record<string, JsonValue>> {
    const out: Record<string, JsonValue> = {};
    for (const [path, value] of Object.entries(change.desired?.writeOnly ?? {})) {
      out[path] = isSecretFromClient(value) ? await port.clientSecret(value.$secretFromClient.realm, value.$secretFromClient.clientId) : value;
    }
    return out;
  }
}
