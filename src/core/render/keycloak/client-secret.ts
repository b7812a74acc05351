// The client secret a partner realm's identity provider needs is the home realm's client's: the
// renderer cannot know it, so it writes a reference ({ $secretFromClient }) that Keycloak's own
// hooks resolve (src/services/systems/keycloak.ts, when applying) and describe (in the plan).
// Such secrets cannot be compared either, so the plan re-writes them whenever their client is (re)created.
import type { Change, Plan } from '../../plan/diff.ts';
import { summarize } from '../../plan/diff.ts';

/** A value the renderer cannot know; the apply step reads it from a client in another realm. */
export type SecretFromClient = {
  readonly $secretFromClient: { readonly cloud: string; readonly realm: string; readonly clientId: string };
};

export function isSecretFromClient(value: unknown): value is SecretFromClient {
  return typeof value === 'object' && value !== null && '$secretFromClient' in value;
}

/** Where a write-only value comes from, as the plan shows it; undefined for other values. */
export function describeSecretSource(value: unknown): string | undefined {
  return isSecretFromClient(value) ? `(secret of client ${value.$secretFromClient.clientId} in ${value.$secretFromClient.cloud})` : undefined;
}

export function rewriteSecretsOfNewClients(plan: Plan): Plan {
  const created = new Set(plan.changes
    .filter((c) => c.action === 'create' && c.desired?.system === 'keycloak' && c.desired.kind === 'client')
    .map((c) => `${c.desired?.cloud}/${c.desired?.scope}/${c.desired?.name}`));
  if (created.size === 0) return plan;
  const changes = plan.changes.map((c): Change => {
    if (c.action !== 'noop' || !c.desired?.writeOnly) return c;
    const stale = Object.entries(c.desired.writeOnly).filter(([, v]) => isSecretFromClient(v)
      && created.has(`${v.$secretFromClient.cloud}/${v.$secretFromClient.realm}/${v.$secretFromClient.clientId}`));
    if (stale.length === 0) return c;
    return { ...c, action: 'update', fieldChanges: stale.map(([path]) => ({ path, observed: '(secret of the replaced client)', desired: '(secret of the new client)' })) };
  });
  return { changes, summary: summarize(changes) };
}
