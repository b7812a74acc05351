// Per-cloud authorization of the admin API (src/core/authz): the whole matrix of actors and
// operations, the spec-diff that turns a proposed spec into operations, and the plan's write scope.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Actor } from '../../src/core/authz/actor.ts';
import { actorOf, rolesOf } from '../../src/core/authz/actor.ts';
import { authorize, decide } from '../../src/core/authz/authorize.ts';
import { parseApiConfig } from '../../src/core/authz/config.ts';
import type { Operation } from '../../src/core/authz/operations.ts';
import { planWrites } from '../../src/core/authz/plan-scope.ts';
import { specChanges } from '../../src/core/authz/spec-changes.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import type { GrantSpec } from '../../src/core/federation/schema.ts';
import type { Plan } from '../../src/core/plan/diff.ts';
import { exampleSpec } from '../support/example-federation.ts';

const spec = exampleSpec();
const fed: Actor = { subject: 'f', issuer: 'https://127.0.0.1:18443/realms/master', federationAdmin: true };
const adminB: Actor = { subject: 'b', issuer: 'https://127.0.0.1:18443/realms/cloud-b', homeCloud: 'cloud-b', federationAdmin: false, cloudAdminOf: 'cloud-b' };
const user: Actor = { subject: 'u', issuer: 'https://127.0.0.1:18443/realms/cloud-b', homeCloud: 'cloud-b', federationAdmin: false };
const grant = (clouds?: string[], roles = ['member']): GrantSpec => ({ ...(clouds && { clouds }), keystone: [{ domain: 'Default', project: 'p1', roles }], kubernetes: [] });

type Row = [string, Operation, fed: string, adminB: string, user: string];
const OK = 'allowed';
const NO = 'ERR_FORBIDDEN_CLOUD';
const PRIV = 'ERR_FORBIDDEN_PRIVILEGED';
const MATRIX: Row[] = [
  ['validate a spec', { kind: 'validate' }, OK, OK, NO],
  ['read cloud-b (status, explain, audit)', { kind: 'read', cloud: 'cloud-b' }, OK, OK, NO],
  ['read cloud-a', { kind: 'read', cloud: 'cloud-a' }, OK, NO, NO],
  ['read the whole federation', { kind: 'read-federation' }, OK, NO, NO],
  ['change naming', { kind: 'change-federation', part: 'naming' }, OK, NO, NO],
  ['add a cloud', { kind: 'change-federation', part: 'clouds (cloud cloud-d added)' }, OK, NO, NO],
  ['change cloud-b\'s entry (display name)', { kind: 'change-cloud', cloud: 'cloud-b', connection: false }, OK, OK, NO],
  ['change cloud-b\'s connection (URL, credentials)', { kind: 'change-cloud', cloud: 'cloud-b', connection: true }, OK, NO, NO],
  ['change cloud-a\'s entry', { kind: 'change-cloud', cloud: 'cloud-a', connection: false }, OK, NO, NO],
  ['change a grant for cloud-b', { kind: 'change-grant', rule: 'r', grant: grant(['cloud-b']) }, OK, OK, NO],
  ['change a grant for cloud-a', { kind: 'change-grant', rule: 'r', grant: grant(['cloud-a']) }, OK, NO, NO],
  ['change a grant for cloud-a and cloud-b', { kind: 'change-grant', rule: 'r', grant: grant(['cloud-a', 'cloud-b']) }, OK, NO, NO],
  ['change a grant without clouds (every partner)', { kind: 'change-grant', rule: 'r', grant: grant() }, OK, NO, NO],
  ['grant Keystone admin in cloud-b', { kind: 'change-grant', rule: 'r', grant: grant(['cloud-b'], ['admin']) }, PRIV, PRIV, PRIV],
  ['grant Keystone ADMIN (any case)', { kind: 'change-grant', rule: 'r', grant: grant(['cloud-b'], ['ADMIN']) }, PRIV, PRIV, PRIV],
  ['grant a role the spec lists as privileged', { kind: 'change-grant', rule: 'r', grant: grant(['cloud-b'], ['reader-admin']) }, PRIV, PRIV, PRIV],
  ['bind cluster-admin', { kind: 'change-grant', rule: 'r', grant: { clouds: ['cloud-b'], keystone: [], kubernetes: [{ namespace: 'p1', clusterRole: 'cluster-admin' }] } }, PRIV, PRIV, PRIV],
  ['bind a system: Role', { kind: 'change-grant', rule: 'r', grant: { clouds: ['cloud-b'], keystone: [], kubernetes: [{ namespace: 'p1', role: 'system:x' }] } }, PRIV, PRIV, PRIV],
  ['change the text of a rule granting only in cloud-b', { kind: 'change-rule-text', rule: 'r', grants: [grant(['cloud-b'])] }, OK, OK, NO],
  ['change the text of a rule granting everywhere', { kind: 'change-rule-text', rule: 'r', grants: [grant()] }, OK, NO, NO],
  ['propose trust cloud-a → cloud-b (cloud-b is the partner)', { kind: 'propose-trust', home: 'cloud-a', partner: 'cloud-b' }, OK, OK, NO],
  ['propose trust cloud-b → cloud-a', { kind: 'propose-trust', home: 'cloud-b', partner: 'cloud-a' }, OK, NO, NO],
  ['accept trust cloud-b → cloud-a (writes into cloud-b\'s realm)', { kind: 'accept-trust', home: 'cloud-b', partner: 'cloud-a' }, OK, OK, NO],
  ['accept trust cloud-a → cloud-b', { kind: 'accept-trust', home: 'cloud-a', partner: 'cloud-b' }, OK, NO, NO],
  ['remove trust cloud-a → cloud-b', { kind: 'remove-trust', home: 'cloud-a', partner: 'cloud-b' }, OK, OK, NO],
  ['remove trust cloud-a → cloud-c', { kind: 'remove-trust', home: 'cloud-a', partner: 'cloud-c' }, OK, NO, NO],
  ['apply changes in cloud-b', { kind: 'apply-in', cloud: 'cloud-b' }, OK, OK, NO],
  ['apply changes in cloud-a', { kind: 'apply-in', cloud: 'cloud-a' }, OK, NO, NO],
  ['sync cloud-b', { kind: 'sync', cloud: 'cloud-b' }, OK, OK, NO],
  ['sync cloud-c', { kind: 'sync', cloud: 'cloud-c' }, OK, NO, NO],
  ['end sessions in cloud-b\'s realm', { kind: 'logout-realm', cloud: 'cloud-b' }, OK, OK, NO],
  ['end sessions in cloud-a\'s realm', { kind: 'logout-realm', cloud: 'cloud-a' }, OK, NO, NO],
  ['global logout of a user homed at cloud-b', { kind: 'global-logout', homeCloud: 'cloud-b' }, OK, OK, NO],
  ['global logout of a user homed at cloud-a', { kind: 'global-logout', homeCloud: 'cloud-a' }, OK, NO, NO],
];

describe('authorization matrix (federation admin, cloud-b admin, plain user)', () => {
  for (const [name, op, ...expected] of MATRIX) {
    it(name, () => {
      const got = [fed, adminB, user].map((actor) => { const d = decide(actor, op, spec.privileged); return d.allowed ? OK : d.code; });
      assert.deepEqual(got, expected);
    });
  }

  it('authorize throws the refusal as a BrokerError with the operation and reason', () => {
    assert.throws(() => authorize(adminB, { kind: 'read', cloud: 'cloud-a' }, spec.privileged), (e: unknown) =>
      isBrokerError(e, 'ERR_FORBIDDEN_CLOUD') && e.details['operation'] === 'read' && String(e.details['reason']).includes('cloud-a'));
    assert.doesNotThrow(() => authorize(adminB, { kind: 'read', cloud: 'cloud-b' }, spec.privileged));
  });
});

describe('actors from token claims', () => {
  const config = parseApiConfig({ audience: 'fedbroker', federationAdmin: { issuers: ['https://127.0.0.1:18443/realms/master'] }, issuers: [{ issuer: 'https://127.0.0.1:18443/realms/master' }] }, spec);
  const B = 'https://127.0.0.1:18443/realms/cloud-b';
  it('a cloud admin is the admin role in a token of that cloud\'s own realm', () => {
    const a = actorOf(B, { sub: 's', realm_access: { roles: ['fedbroker-cloud-admin'] } }, config);
    assert.equal(a.cloudAdminOf, 'cloud-b');
    assert.equal(a.federationAdmin, false);
  });
  it('the federation-admin role counts only in tokens of a federation-admin issuer', () => {
    assert.equal(actorOf(B, { sub: 's', realm_access: { roles: ['fedbroker-federation-admin'] } }, config).federationAdmin, false);
    assert.equal(actorOf('https://127.0.0.1:18443/realms/master', { sub: 's', realm_access: { roles: ['fedbroker-federation-admin'] } }, config).federationAdmin, true);
  });
  it('the admin role from an extra issuer makes no cloud admin; a plain user has no scope', () => {
    assert.equal(actorOf('https://127.0.0.1:18443/realms/master', { sub: 's', realm_access: { roles: ['fedbroker-cloud-admin'] } }, config).cloudAdminOf, undefined);
    const plain = actorOf(B, { sub: 's', realm_access: { roles: ['offline_access'] } }, config);
    assert.equal(plain.cloudAdminOf, undefined);
    assert.equal(plain.federationAdmin, false);
  });
  it('roles are realm roles and the broker client\'s roles; malformed claims are no roles', () => {
    assert.deepEqual([...rolesOf({ realm_access: { roles: ['a', 7] }, resource_access: { fedbroker: { roles: ['b'] }, other: { roles: ['c'] } } }, 'fedbroker')].sort(), ['a', 'b']);
    assert.deepEqual([...rolesOf({ realm_access: 'x', resource_access: null }, 'fedbroker')], []);
    assert.deepEqual([...rolesOf({ resource_access: { __proto__: { roles: ['p'] } } }, '__proto__')], []);
  });
  it('the configuration names every problem with its path', () => {
    assert.throws(() => parseApiConfig({ audience: '', federationAdmin: { issuers: ['https://evil.example/realms/x'] }, extra: 1 }, spec), (e: unknown) => {
      if (!isBrokerError(e, 'ERR_CONFIG_INVALID')) return false;
      const paths = (e.details['problems'] as { path: string }[]).map((p) => p.path).sort();
      return paths.includes('audience') && paths.includes('extra');
    });
    assert.throws(() => parseApiConfig({ audience: 'a', federationAdmin: { issuers: ['https://evil.example/realms/x'] } }, spec), (e: unknown) =>
      isBrokerError(e, 'ERR_CONFIG_INVALID') && (e.details['problems'] as { path: string }[])[0]?.path === 'federationAdmin.issuers.0');
  });
});

describe('a proposed spec as operations', () => {
  const kinds = (ops: Operation[]) => ops.map((o) => o.kind === 'change-cloud' ? `${o.kind}:${o.cloud}:${o.connection}` : o.kind === 'change-grant' ? `${o.kind}:${o.rule}:${o.grant.clouds?.join('+') ?? '*'}` : o.kind === 'change-federation' ? `${o.kind}:${o.part}` : o.kind);
  it('the same spec is no operation', () => { assert.deepEqual(specChanges(spec, exampleSpec()), []); });
  it('a cloud-b grant entry added to a rule is one change-grant for cloud-b', () => {
    const proposed = exampleSpec((d) => { d.policy[1].grant.push({ clouds: ['cloud-b'], keystone: [{ project: 'p2', roles: ['reader'] }] }); });
    assert.deepEqual(kinds(specChanges(spec, proposed)), ['change-grant:p1-admins:cloud-b']);
  });
  it('changing a rule\'s condition changes each of its grant entries (before and after)', () => {
    const proposed = exampleSpec((d) => { d.policy[0].when.groups.any = ['/projects/p2/members']; d.policy[0].examples = []; });
    assert.deepEqual(kinds(specChanges(spec, proposed)), ['change-grant:p1-members:*', 'change-grant:p1-members:*']);
  });
  it('cloud entries: display name vs connection; added and removed clouds; federation parts', () => {
    const proposed = exampleSpec((d) => { d.clouds[1].displayName = 'B'; d.clouds[0].keystone.url = 'https://127.0.0.1:16099'; d.naming.username = '{username}@{homeCloud}'; });
    assert.deepEqual(kinds(specChanges(spec, proposed)).sort(), ['change-cloud:cloud-a:true', 'change-cloud:cloud-b:false', 'change-federation:naming']);
  });
  it('a new trust edge needs the partner\'s proposal and the home\'s acceptance; a removed one is a withdrawal', () => {
    const edges = (list: [string, string][]) => exampleSpec((d) => { d.trust = { mode: 'edges', edges: list.map(([home, partner]) => ({ home, partner })) }; d.policy = []; });
    const ops = specChanges(edges([['cloud-a', 'cloud-b']]), edges([['cloud-a', 'cloud-b'], ['cloud-b', 'cloud-c']]));
    assert.deepEqual(ops, [{ kind: 'propose-trust', home: 'cloud-b', partner: 'cloud-c' }, { kind: 'accept-trust', home: 'cloud-b', partner: 'cloud-c' }]);
    assert.deepEqual(specChanges(edges([['cloud-a', 'cloud-b']]), edges([['cloud-b', 'cloud-a']])).map((o) => o.kind), ['propose-trust', 'accept-trust', 'remove-trust']);
  });
});

describe('a plan\'s write scope', () => {
  it('names each cloud a non-noop change writes into', () => {
    const obj = (cloud: string) => ({ system: 'keystone', cloud, scope: cloud, kind: 'group', name: 'g', fields: {}, managed: true });
    const plan: Plan = { summary: { create: 1, update: 0, delete: 1, noop: 1, conflict: 0 }, changes: [
      { action: 'create', key: 'a', desired: obj('cloud-b'), fieldChanges: [] },
      { action: 'noop', key: 'b', desired: obj('cloud-a'), observed: obj('cloud-a'), fieldChanges: [] },
      { action: 'delete', key: 'c', observed: obj('cloud-c'), fieldChanges: [] },
    ] };
    assert.deepEqual(planWrites(plan), [{ kind: 'apply-in', cloud: 'cloud-b' }, { kind: 'apply-in', cloud: 'cloud-c' }]);
  });
});
