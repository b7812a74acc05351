// Before serving: fetch every realm's keys and get every Keycloak's and Keystone's admin token, so that the first
// logout does not pay for them. Best effort: a cloud that is down is reported, and the broker serves
// anyway (its deliveries retry until that cloud is back).
import { isBrokerError } from '../../core/errors.ts';
import type { LogoutDeps } from './deps.ts';

export interface WarmUpResult {
  readonly target: string;
  readonly ok: boolean;
  readonly code?: string;
}

export async function warmUpLogout(deps: LogoutDeps): Promise<WarmUpResult[]> {
  const steps: { target: string; run: () => Promise<void> }[] = [];
  const { verifier } = deps;
  if (verifier.warmUp) for (const issuer of deps.issuers) steps.push({ target: `jwks/${issuer.cloud}`, run: () => verifier.warmUp!(issuer) });
  for (const cloud of deps.spec.clouds) {
    const keycloak = deps.keycloak(cloud.alias);
    if (keycloak.warmUp) steps.push({ target: `keycloak/${cloud.alias}`, run: () => keycloak.warmUp!() });
    const keystone = deps.keystone(cloud.alias);
    if (keystone?.warmUp) steps.push({ target: `keystone/${cloud.alias}`, run: () => keystone.warmUp!() });
  }
  const settled = await Promise.allSettled(steps.map((s) => s.run()));
  return settled.map((r, i) => (r.status === 'fulfilled'
    ? { target: steps[i]!.target, ok: true }
    : { target: steps[i]!.target, ok: false, code: isBrokerError(r.reason) ? r.reason.code : 'ERR_INTERNAL' }));
}
