// Realistic desired Keycloak objects for the contract suite: the demo federation rendered with
// per-run names (cloud aliases, federation, scope and attribute names), so runs against the shared
// test bed never meet each other's or the real broker's objects.
import { randomBytes } from 'node:crypto';
import { managedMarkers } from '../../src/core/managed.ts';
import type { Change } from '../../src/core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { renderKeycloak } from '../../src/core/render/keycloak/index.ts';
import type { KeycloakKind, KeycloakObject } from '../../src/core/render/keycloak/model.ts';
import { demoHomeMetadata } from '../support/metadata.ts';
import { exampleSpec } from '../support/example-federation.ts';

export type Fields = DesiredObject['fields'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface Run {
  /** Short unique tag of this run, safe in names and DNS labels. */
  readonly tag: string;
  readonly federation: string;
  /** The three demo clouds' per-run aliases (a = OIDC home, b = OIDC home, c = SAML home). */
  readonly aliases: readonly [string, string, string];
  /** Everything the demo spec renders, scoped to the given realms (cloud a → realms[0] ...). */
  readonly objects: readonly KeycloakObject[];
}

export function newRun(realms: readonly [string, string, string]): Run {
  const tag = `k${randomBytes(4).toString('hex')}`;
  const aliases = [`${tag}-a`, `${tag}-b`, `${tag}-c`] as const;
  const spec = exampleSpec((doc) => {
    doc.metadata.name = `contract-${tag}`;
    doc.clouds.forEach((c: Loose, i: number) => { c.alias = aliases[i]; c.keycloak.realm = realms[i]; });
    for (const rule of doc.policy) delete rule.examples;
  });
  const objects = renderKeycloak(spec, demoHomeMetadata(spec)).map((o) => perRun(o, tag));
  return { tag, federation: spec.metadata.name, aliases, objects };
}

/** Per-run names for the objects whose names the renderer fixes (scopes, flows, profile attributes, SAML client ids). */
function perRun(o: KeycloakObject, tag: string): KeycloakObject {
  const f = o.fields as Loose;
  const samlClientId = (clientId: string) => clientId.startsWith('https://') ? `${clientId}/${tag}` : clientId;
  switch (o.kind) {
    case 'clientScope': return { ...o, name: `${o.name}-${tag}`, fields: { ...f, name: `${f.name}-${tag}` } };
    case 'clientDefaultScope': {
      const [clientId, clientScope] = [samlClientId(f.clientId), `${f.clientScope}-${tag}`];
      return { ...o, name: `${clientId}/${clientScope}`, fields: { ...f, clientId, clientScope } };
    }
    case 'userProfileAttribute': return { ...o, name: `${o.name}_${tag}`, fields: { ...f, name: `${f.name}_${tag}`, displayName: `${f.displayName}_${tag}` } };
    case 'client': return f.protocol === 'saml' ? { ...o, name: `${o.name}/${tag}`, fields: { ...f, clientId: `${f.clientId}/${tag}` } } : o;
    case 'authenticationFlow': return { ...o, name: `${o.name}-${tag}`, fields: { ...f, alias: `${f.alias}-${tag}`, executions: f.executions.map((e: Loose) => perRunExecution(e, tag)) } };
    case 'identityProvider': return { ...o, fields: { ...f, firstBrokerLoginFlowAlias: `${f.firstBrokerLoginFlowAlias}-${tag}`, postBrokerLoginFlowAlias: `${f.postBrokerLoginFlowAlias}-${tag}` } };
    default: return o;
  }
}

/** Sub-flow aliases are realm-wide names, and the client-scope condition names the per-run scope. */
function perRunExecution(e: Loose, tag: string): Loose {
  if (Array.isArray(e.executions)) return { ...e, name: `${e.name}-${tag}`, executions: e.executions.map((c: Loose) => perRunExecution(c, tag)) };
  if (e.config?.client_scope) return { ...e, config: { ...e.config, client_scope: `${e.config.client_scope}-${tag}` } };
  return e;
}

/** One rendered object, re-addressed to a port's cloud and a realm. */
export function pick(run: Run, cloud: string, realm: string, kind: KeycloakKind, match: (o: KeycloakObject) => boolean = () => true): KeycloakObject {
  const found = run.objects.find((o) => o.kind === kind && match(o));
  if (!found) throw new Error(`the demo spec renders no ${kind} matching the test's condition`);
  return { ...found, cloud, scope: realm };
}

export function withFields(o: KeycloakObject, change: (fields: Loose) => Loose): KeycloakObject {
  return { ...o, fields: change(structuredClone(o.fields)) };
}

/** The same object without the broker's markers, as if an admin had made it by hand. */
export function unmarked(o: KeycloakObject): KeycloakObject {
  return withFields(o, (f) => {
    for (const key of ['attributes', 'config', 'annotations']) {
      if (f[key]) for (const marker of Object.keys(managedMarkers(''))) delete f[key][marker];
    }
    return f;
  });
}

/** The same object marked as another federation's. */
export function ofFederation(o: KeycloakObject, federation: string): KeycloakObject {
  const markers = managedMarkers(federation);
  return withFields(o, (f) => {
    for (const key of ['attributes', 'config', 'annotations']) {
      if (!f[key]) continue;
      for (const [k, v] of Object.entries(markers)) if (k in f[key]) f[key][k] = Array.isArray(f[key][k]) ? [v] : v;
    }
    return f;
  });
}

export const create = (desired: DesiredObject): Change => ({ action: 'create', key: key(desired), desired, fieldChanges: [] });
export const update = (desired: DesiredObject, observed: ObservedObject): Change => ({ action: 'update', key: key(desired), desired, observed, fieldChanges: [] });
export const remove = (observed: ObservedObject): Change => ({ action: 'delete', key: key(observed), observed, fieldChanges: [] });

function key(o: DesiredObject | ObservedObject): string {
  return `${o.system}/${o.cloud}/${o.scope}/${o.kind}/${o.name}`;
}
