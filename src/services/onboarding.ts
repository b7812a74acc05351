// Onboarding and offboarding: plan, then apply, over every configured system. The story of a plan:
//   1. read each home cloud's identity-provider metadata (discovery or SAML descriptor)
//   2. check that every realm and every partner client the spec names exists (else nothing is written)
//   3. ask each Keystone what it supports (the rendering depends on it)
//   4. render the desired objects of Keycloak, Keystone and Kubernetes from the spec
//   5. observe what the broker owns in every realm, Keystone and cluster (and whatever sits at a desired address)
//   6. diff → ordered changes; secrets whose source client is new are re-written
// Apply runs the changes in order; each is idempotent, so an interrupted apply is finished by re-running it.
// One cloud's outage does not stop the plan of the others (planReachable): a system that cannot be
// read is left out and reported as unreachable, and objects that depend on an unreadable home's
// metadata are held back (neither written nor deleted). A realm or client the spec names that does
// not exist stays an error of the whole plan: that is a mistake in the spec, not an outage.
import { BrokerError, isBrokerError } from '../core/errors.ts';
import type { JsonValue } from '../core/json.ts';
import { diff, type Change, type Plan } from '../core/plan/diff.ts';
import { addressKey, isSecretFromClient, type DesiredObject, type ObservedObject } from '../core/plan/model.ts';
import { rewriteSecretsOfNewClients } from '../core/plan/secrets.ts';
import { metadataDependentObjects, placeholderMetadata, renderKeycloak, type HomeMetadataByCloud } from '../core/render/keycloak/index.ts';
import { KEYCLOAK_KIND_ORDER } from '../core/render/keycloak/model.ts';
import type { HomeMetadata } from '../core/render/keycloak/metadata.ts';
import { KEYSTONE_KIND_ORDER, keystonePartners, renderKeystone, type KeystoneCapabilities } from '../core/render/keystone/index.ts';
import { KUBERNETES_KIND_ORDER, renderKubernetes, type KubernetesRenderOptions } from '../core/render/kubernetes/index.ts';
import type { CloudSpec, FederationSpec } from '../core/federation/schema.ts';
import { trustEdges } from '../core/federation/trust.ts';
import type { HomeMetadataPort, KeycloakAdminPort, KeystoneAdminPort, KubernetesAdminPort, ManagedSystemPort } from '../ports.ts';

export interface OnboardingDeps {
  keycloak(cloud: string): KeycloakAdminPort;
  homeMetadata: HomeMetadataPort;
  /** Keystone of a cloud with a keystone section; absent: Keystone is not planned. */
  keystone?(cloud: string): KeystoneAdminPort;
  /** A cluster of a cloud; absent: Kubernetes is not planned. */
  kubernetes?(cloud: string, cluster: string): KubernetesAdminPort;
  /** What the Kubernetes renderer needs from files (issuer CAs of clusters whose authentication config the broker writes). */
  kubernetesRender?: KubernetesRenderOptions;
}

/** Keycloak first (logins), then Keystone and Kubernetes (what logins lead to); "system/kind" since kind names repeat. */
const KIND_ORDER = [
  ...KEYCLOAK_KIND_ORDER.map((k) => `keycloak/${k}`),
  ...KEYSTONE_KIND_ORDER.map((k) => `keystone/${k}`),
  ...KUBERNETES_KIND_ORDER.map((k) => `kubernetes/${k}`),
];

/** A part of the federation that could not be read: left out of the plan, reported with its error. */
export interface UnreachablePart {
  readonly system: string;
  readonly cloud: string;
  /** `metadata`: the home's identity-provider metadata; the others: the system itself (a scope of it, when set). */
  readonly part: 'metadata' | 'system';
  readonly scope?: string;
  readonly error: unknown;
}

export interface ReachablePlan {
  readonly plan: Plan;
  readonly unreachable: readonly UnreachablePart[];
}

/** The plan of the whole federation; any unreachable part fails it (apply runs only whole plans). */
export async function planFederation(spec: FederationSpec, deps: OnboardingDeps): Promise<Plan> {
  const { plan, unreachable } = await planReachable(spec, deps);
  if (unreachable[0]) throw unreachable[0].error;
  return plan;
}

/** The plan of every part that can be read, and the parts that could not. */
export async function planReachable(spec: FederationSpec, deps: OnboardingDeps): Promise<ReachablePlan> {
  const unreachable: UnreachablePart[] = [];
  const metadata = await readHomeMetadata(spec, deps, unreachable);
  await checkRealmsAndClients(spec, deps, unreachable);
  const rendered: DesiredObject[] = [...renderKeycloak(spec, metadata)];
  if (deps.keystone) rendered.push(...renderKeystone(spec, await keystoneCapabilities(spec, deps, unreachable)));
  if (deps.kubernetes) rendered.push(...renderKubernetes(spec, deps.kubernetesRender));
  const heldBack = heldBackKeys(spec, metadata, unreachable);
  const desired = rendered.filter((d) => !heldBack.has(addressKey(d)) && !isUnreachable(d, unreachable));
  const observed = (await observeAll(spec, deps, desired, unreachable)).filter((o) => !heldBack.has(addressKey(o)));
  // A scope whose read failed is not planned from half its picture.
  const planned = desired.filter((d) => !isUnreachable(d, unreachable));
  return { plan: rewriteSecretsOfNewClients(diff(planned, observed, KIND_ORDER)), unreachable };
}

export interface ApplyProgress {
  (event: { step: number; total: number; change: Change; status: 'start' | 'done' }): void;
}

export interface ApplyReport {
  readonly applied: number;
  readonly total: number;
}

export async function applyPlan(plan: Plan, deps: OnboardingDeps, progress: ApplyProgress = () => {}): Promise<ApplyReport> {
  refuseConflicts(plan);
  const steps = plan.changes.filter((c) => c.action !== 'noop');
  for (const [i, change] of steps.entries()) {
    progress({ step: i + 1, total: steps.length, change, status: 'start' });
    await systemFor(change, deps).apply(change, await resolveWriteOnly(change, deps));
    progress({ step: i + 1, total: steps.length, change, status: 'done' });
  }
  return { applied: steps.length, total: steps.length };
}

async function readHomeMetadata(spec: FederationSpec, deps: OnboardingDeps, unreachable: UnreachablePart[]): Promise<HomeMetadataByCloud> {
  const homes = [...new Set(trustEdges(spec).map((e) => e.home))];
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const entries = await Promise.all(homes.map(async (alias): Promise<[string, HomeMetadata]> => {
    const home = clouds.get(alias) as CloudSpec;
    try {
      return [alias, await deps.homeMetadata.read(home)];
    } catch (error) {
      unreachable.push({ system: 'keycloak', cloud: alias, part: 'metadata', error });
      return [alias, placeholderMetadata(home)];
    }
  }));
  return Object.fromEntries(entries);
}

/** A missing realm or client is a spec error (thrown); a Keycloak that cannot be asked is unreachable. */
async function checkRealmsAndClients(spec: FederationSpec, deps: OnboardingDeps, unreachable: UnreachablePart[]): Promise<void> {
  const partners = new Set(trustEdges(spec).map((e) => e.partner));
  await Promise.all(spec.clouds.map(async (cloud) => {
    try {
      await checkRealmAndClients(cloud, partners.has(cloud.alias), deps.keycloak(cloud.alias));
    } catch (error) {
      if (isBrokerError(error) && (error.code === 'ERR_KEYCLOAK_REALM_NOT_FOUND' || error.code === 'ERR_KEYCLOAK_CLIENT_NOT_FOUND')) throw error;
      unreachable.push({ system: 'keycloak', cloud: cloud.alias, part: 'system', error });
    }
  }));
}

async function checkRealmAndClients(cloud: CloudSpec, isPartner: boolean, keycloak: KeycloakAdminPort): Promise<void> {
  if (!(await keycloak.realmExists(cloud.keycloak.realm))) {
    throw new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${cloud.keycloak.realm}" of cloud ${cloud.alias} does not exist at ${cloud.keycloak.url}`,
      { details: { cloud: cloud.alias, realm: cloud.keycloak.realm } });
  }
  if (!isPartner) return;
  const clients = [cloud.keystone?.audience, ...(cloud.kubernetes?.clusters ?? []).map((c) => c.audience)].filter((c): c is string => !!c);
  for (const clientId of new Set(clients)) {
    if (!(await keycloak.clientExists(cloud.keycloak.realm, clientId))) {
      throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" named in the spec for cloud ${cloud.alias} does not exist in realm "${cloud.keycloak.realm}"`,
        { details: { cloud: cloud.alias, realm: cloud.keycloak.realm, clientId } });
    }
  }
}

/** What a Keystone that cannot be asked is rendered with; its objects are left out of the plan anyway. */
const UNKNOWN_KEYSTONE: KeystoneCapabilities = { honoursRuleDomain: false, evidence: 'unknown: Keystone unreachable' };

async function keystoneCapabilities(spec: FederationSpec, deps: OnboardingDeps, unreachable: UnreachablePart[]): Promise<Record<string, KeystoneCapabilities>> {
  const keystone = deps.keystone as NonNullable<OnboardingDeps['keystone']>;
  return Object.fromEntries(await Promise.all(keystonePartners(spec).map(async (c) => {
    try {
      return [c.alias, await keystone(c.alias).capabilities()] as const;
    } catch (error) {
      unreachable.push({ system: 'keystone', cloud: c.alias, part: 'system', error });
      return [c.alias, UNKNOWN_KEYSTONE] as const;
    }
  })));
}

function isUnreachable(d: DesiredObject, unreachable: readonly UnreachablePart[]): boolean {
  return unreachable.some((u) => u.part === 'system' && u.system === d.system && u.cloud === d.cloud && (u.scope === undefined || u.scope === d.scope));
}

function heldBackKeys(spec: FederationSpec, metadata: HomeMetadataByCloud, unreachable: readonly UnreachablePart[]): Set<string> {
  const homes = unreachable.filter((u) => u.part === 'metadata').map((u) => u.cloud);
  return new Set(homes.flatMap((home) => metadataDependentObjects(spec, home, metadata[home] as HomeMetadata).map(addressKey)));
}

async function observeAll(spec: FederationSpec, deps: OnboardingDeps, desired: readonly DesiredObject[], unreachable: UnreachablePart[]): Promise<ObservedObject[]> {
  const wanted = (system: string, cloud: string, scope: string) => desired.filter((d) => d.system === system && d.cloud === cloud && d.scope === scope);
  const skip = (system: string, cloud: string) => unreachable.some((u) => u.part === 'system' && u.system === system && u.cloud === cloud);
  const reads: Promise<ObservedObject[]>[] = [];
  const read = (system: string, cloud: string, scope: string, observe: () => Promise<ObservedObject[]>) => {
    if (skip(system, cloud)) return;
    reads.push(observe().catch((error: unknown) => {
      unreachable.push({ system, cloud, part: 'system', scope, error });
      return [];
    }));
  };
  for (const c of spec.clouds) {
    read('keycloak', c.alias, c.keycloak.realm, () => deps.keycloak(c.alias).observe(c.keycloak.realm, spec.metadata.name, wanted('keycloak', c.alias, c.keycloak.realm)));
  }
  for (const c of deps.keystone ? keystonePartners(spec) : []) {
    const port = (deps.keystone as NonNullable<OnboardingDeps['keystone']>)(c.alias);
    const scopes = [...new Set(desired.filter((d) => d.system === 'keystone' && d.cloud === c.alias).map((d) => d.scope))];
    for (const scope of scopes) read('keystone', c.alias, scope, () => port.observe(scope, spec.metadata.name, wanted('keystone', c.alias, scope)));
  }
  for (const c of deps.kubernetes ? spec.clouds : []) {
    for (const cluster of c.kubernetes?.clusters ?? []) {
      const port = (deps.kubernetes as NonNullable<OnboardingDeps['kubernetes']>)(c.alias, cluster.name);
      read('kubernetes', c.alias, cluster.name, () => port.observe(cluster.name, spec.metadata.name, wanted('kubernetes', c.alias, cluster.name)));
    }
  }
  return (await Promise.all(reads)).flat();
}

function systemFor(change: Change, deps: OnboardingDeps): ManagedSystemPort {
  const a = change.desired ?? change.observed;
  if (!a) throw new BrokerError('ERR_INTERNAL', 'a change without an object');
  if (a.system === 'keycloak') return deps.keycloak(a.cloud);
  if (a.system === 'keystone' && deps.keystone) return deps.keystone(a.cloud);
  if (a.system === 'kubernetes' && deps.kubernetes) return deps.kubernetes(a.cloud, a.scope);
  throw new BrokerError('ERR_INTERNAL', `no adapter for ${a.system} of cloud ${a.cloud}`, { details: { cloud: a.cloud, system: a.system } });
}

function refuseConflicts(plan: Plan): void {
  const conflicts = plan.changes.filter((c) => c.action === 'conflict');
  if (conflicts.length > 0) {
    throw new BrokerError('ERR_PLAN_CONFLICT', `the plan has ${conflicts.length} conflict(s); nothing was applied: ${conflicts.map((c) => c.reason).join('; ')}`,
      { details: { conflicts: conflicts.map((c) => c.key) } });
  }
}

async function resolveWriteOnly(change: Change, deps: OnboardingDeps): Promise<Record<string, JsonValue>> {
  if (change.action === 'delete' || !change.desired?.writeOnly) return {};
  const out: Record<string, JsonValue> = {};
  for (const [path, value] of Object.entries(change.desired.writeOnly)) {
    out[path] = isSecretFromClient(value)
      ? await deps.keycloak(value.$secretFromClient.cloud).clientSecret(value.$secretFromClient.realm, value.$secretFromClient.clientId)
      : value;
  }
  return out;
}
