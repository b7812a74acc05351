// Secrets that flow between systems (a home realm's client secret into the partner's identity
// provider) cannot be compared, so the plan re-writes them whenever their source is (re)created.
import type { Change, Plan } from './diff.ts';
import { isSecretFromClient } from './model.ts';

export function rewriteSecretsOfNewClients(plan: Plan): Plan {
  const created = new Set(plan.changes
    .filter((c) => c.action === 'create' && c.desired?.kind === 'client')
    .map((c) => `${c.desired?.cloud}/${c.desired?.scope}/${c.desired?.name}`));
  if (created.size === 0) return plan;
  const changes = plan.changes.map((c): Change => {
    if (c.action !== 'noop' || !c.desired?.writeOnly) return c;
    const stale = Object.entries(c.desired.writeOnly).filter(([, v]) => isSecretFromClient(v)
      && created.has(`${v.$secretFromClient.cloud}/${v.$secretFromClient.realm}/${v.$secretFromClient.clientId}`));
    if (stale.length === 0) return c;
    return { ...c, action: 'update', fieldChanges: stale.map(([path]) => ({ path, observed: '(secret of the replaced client)', desired: '(secret of the new client)' })) };
  });
  const summary = { create: 0, update: 0, delete: 0, noop: 0, conflict: 0 };
  for (const c of changes) summary[c.action] += 1;
  return { changes, summary };
}
