// The demo federation rendered for one Keystone with per-run names (federation, IdP, domains,
// projects, an extra role, the realm behind the remote id), so contract runs against the shared test
// bed never meet each other's, the real broker's or the test-bed tests' objects.
import { randomBytes } from 'node:crypto';
import type { Change } from '../../src/core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { renderPartnerKeystone } from '../../src/core/render/keystone/index.ts';
import type { KeystoneCapabilities, KeystoneKind, KeystoneObject } from '../../src/core/render/keystone/model.ts';
import type { CloudSpec, FederationSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface KeystoneRun {
  readonly tag: string;
  readonly federation: string;
  readonly spec: FederationSpec;
  /** A role no Keystone has: the broker creates (and later deletes) it. */
  readonly newRole: string;
}

export function newKeystoneRun(tag = `ks${randomBytes(3).toString('hex')}`): KeystoneRun {
  const newRole = `role-${tag}`;
  const spec = exampleSpec((doc) => {
    doc.metadata.name = `contract-${tag}`;
    doc.naming.keystoneDomain = `${tag}-{homeCloud}`;
    for (const c of doc.clouds) { c.keystone.identityProvider = `idp-${tag}`; c.keycloak.realm = `realm-${tag}-${c.alias}`; }
    for (const rule of doc.policy) {
      delete rule.examples;
      for (const grant of rule.grant) for (const k of grant.keystone) k.project = `${k.project}-${tag}`;
    }
    doc.policy[1].grant[0].keystone[0].roles.push(newRole);
  });
  return { tag, federation: spec.metadata.name, spec, newRole };
}

/** Everything the run's spec renders for `cloud` (one of the demo aliases), addressed to the port's cloud. */
export function renderFor(run: KeystoneRun, cloud: string, portCloud: string, capabilities: KeystoneCapabilities, withoutRule?: string): KeystoneObject[] {
  const spec = withoutRule ? { ...run.spec, policy: run.spec.policy.filter((r) => r.name !== withoutRule) } : run.spec;
  const partner = spec.clouds.find((c) => c.alias === cloud) as CloudSpec;
  return renderPartnerKeystone(spec, partner, capabilities).map((o) => ({ ...o, cloud: portCloud }));
}

export function only(objects: readonly KeystoneObject[], kind: KeystoneKind, match: (o: KeystoneObject) => boolean = () => true): KeystoneObject {
  const found = objects.find((o) => o.kind === kind && match(o));
  if (!found) throw new Error(`no rendered ${kind} matches`);
  return found;
}

export function withFields<T extends DesiredObject>(o: T, change: (fields: Loose) => Loose): T {
  return { ...o, fields: change(structuredClone(o.fields)) };
}

export const create = (desired: DesiredObject): Change => ({ action: 'create', key: desired.name, desired, fieldChanges: [] });
export const update = (desired: DesiredObject, observed: ObservedObject): Change => ({ action: 'update', key: desired.name, desired, observed, fieldChanges: [] });
export const remove = (observed: ObservedObject): Change => ({ action: 'delete', key: observed.name, observed, fieldChanges: [] });
/** A desired object seen as an observed one (to delete what a test made by hand). */
export const asObserved = (o: DesiredObject, managed = true): ObservedObject => ({ ...o, managed });
