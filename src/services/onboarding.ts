// Onboarding and offboarding: plan, then apply. The story of a plan:
//   1. read each home cloud's identity-provider metadata (discovery or SAML descriptor)
//   2. check that every realm and every partner client the spec names exists (else nothing is written)
//   3. render the desired objects from the spec
//   4. observe what the broker owns in every realm (and whatever sits at a desired address)
//   5. diff → ordered changes; secrets whose source client is new are re-written
// Apply runs the changes in order; each is idempotent, so an interrupted apply is finished by re-running it.
import { BrokerError } from '../core/errors.ts';
import type { JsonValue } from '../core/json.ts';
import { diff, type Change, type Plan } from '../core/plan/diff.ts';
import { isSecretFromClient } from '../core/plan/model.ts';
import { rewriteSecretsOfNewClients } from '../core/plan/secrets.ts';
import { renderKeycloak, type HomeMetadataByCloud } from '../core/render/keycloak/index.ts';
import { KEYCLOAK_KIND_ORDER } from '../core/render/keycloak/model.ts';
import type { HomeMetadata } from '../core/render/keycloak/metadata.ts';
import type { CloudSpec, FederationSpec } from '../core/spec/schema.ts';
import { trustEdges } from '../core/spec/trust.ts';
import type { HomeMetadataPort, KeycloakAdminPort } from '../ports.ts';

export interface OnboardingDeps {
  keycloak(cloud: string): KeycloakAdminPort;
  homeMetadata: HomeMetadataPort;
}

export async function planFederation(spec: FederationSpec, deps: OnboardingDeps): Promise<Plan> {
  const metadata = await readHomeMetadata(spec, deps);
  await checkRealmsAndClients(spec, deps);
  const desired = renderKeycloak(spec, metadata);
  const observed = (await Promise.all(spec.clouds.map((c) =>
    deps.keycloak(c.alias).observe(c.keycloak.realm, spec.metadata.name, desired.filter((d) => d.cloud === c.alias))))).flat();
  return rewriteSecretsOfNewClients(diff(desired, observed, KEYCLOAK_KIND_ORDER));
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
    const address = change.desired ?? change.observed;
    if (!address) continue;
    await deps.keycloak(address.cloud).apply(change, await resolveWriteOnly(change, deps));
    progress({ step: i + 1, total: steps.length, change, status: 'done' });
  }
  return { applied: steps.length, total: steps.length };
}

async function readHomeMetadata(spec: FederationSpec, deps: OnboardingDeps): Promise<HomeMetadataByCloud> {
  const homes = [...new Set(trustEdges(spec).map((e) => e.home))];
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const entries = await Promise.all(homes.map(async (alias): Promise<[string, HomeMetadata]> =>
    [alias, await deps.homeMetadata.read(clouds.get(alias) as CloudSpec)]));
  return Object.fromEntries(entries);
}

async function checkRealmsAndClients(spec: FederationSpec, deps: OnboardingDeps): Promise<void> {
  const partners = new Set(trustEdges(spec).map((e) => e.partner));
  await Promise.all(spec.clouds.map(async (cloud) => {
    const keycloak = deps.keycloak(cloud.alias);
    if (!(await keycloak.realmExists(cloud.keycloak.realm))) {
      throw new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${cloud.keycloak.realm}" of cloud ${cloud.alias} does not exist at ${cloud.keycloak.url}`,
        { details: { cloud: cloud.alias, realm: cloud.keycloak.realm } });
    }
    if (!partners.has(cloud.alias)) return;
    const clients = [cloud.keystone?.audience, ...(cloud.kubernetes?.clusters ?? []).map((c) => c.audience)].filter((c): c is string => !!c);
    for (const clientId of new Set(clients)) {
      if (!(await keycloak.clientExists(cloud.keycloak.realm, clientId))) {
        throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" named in the spec for cloud ${cloud.alias} does not exist in realm "${cloud.keycloak.realm}"`,
          { details: { cloud: cloud.alias, realm: cloud.keycloak.realm, clientId } });
      }
    }
  }));
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
