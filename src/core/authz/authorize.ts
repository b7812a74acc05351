// Per-cloud authorization of the admin API, pure: an actor (./actor.ts), an operation
// (./operations.ts) and the spec's privileged roles → allowed, or refused with a code and a reason.
//   - privileged grants are refused for everyone (the same safety rules as validation);
//   - a federation admin may do everything else;
//   - a cloud admin of X may do what concerns X only: read X, change X's entry (not its connection),
//     change grant entries whose `clouds` are exactly X (a grant without `clouds` grants in every
//     partner: refused, a federation admin splits it), propose trust into X, accept trust out of X,
//     withdraw either, apply plans whose changes all lie in X, sync X, end sessions in X's realm, log out users homed at X;
//   - anyone else (a plain user) may do nothing.
import { BrokerError, type ErrorCode } from '../errors.ts';
import type { FederationSpec, GrantSpec } from '../federation/schema.ts';
import { forbiddenKubernetesRoleReason, isPrivilegedKeystoneRole } from '../policy/safety.ts';
import type { Actor } from './actor.ts';
import { describeOperation, type Operation } from './operations.ts';

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: Extract<ErrorCode, 'ERR_FORBIDDEN_CLOUD' | 'ERR_FORBIDDEN_PRIVILEGED'>; readonly reason: string };

const ALLOWED: Decision = { allowed: true };

export function decide(actor: Actor, op: Operation, privileged: FederationSpec['privileged']): Decision {
  const unsafe = privilegedGrantReason(op, privileged);
  if (unsafe) return { allowed: false, code: 'ERR_FORBIDDEN_PRIVILEGED', reason: unsafe };
  if (actor.federationAdmin) return ALLOWED;
  const own = actor.cloudAdminOf;
  if (own === undefined) return refuse('the caller is neither a federation admin nor an admin of any cloud');
  const ownsOnly = (clouds: readonly string[] | undefined) => clouds !== undefined && clouds.length > 0 && clouds.every((c) => c === own);
  switch (op.kind) {
    case 'validate': return ALLOWED;
    case 'read': case 'apply-in': case 'sync': case 'logout-realm':
      return op.cloud === own ? ALLOWED : refuse(`it concerns cloud ${op.cloud}; the caller administers ${own}`);
    case 'global-logout':
      return op.homeCloud === own ? ALLOWED : refuse(`the user is homed at ${op.homeCloud}; the caller administers ${own}`);
    case 'change-cloud':
      if (op.cloud !== own) return refuse(`it is cloud ${op.cloud}'s entry; the caller administers ${own}`);
      return op.connection ? refuse('a cloud\'s URLs, CA files, credentials and files are changed by a federation admin only') : ALLOWED;
    case 'change-grant':
      if (op.grant.clouds === undefined) return refuse('the grant has no clouds, so it grants in every partner; a federation admin may split it per cloud');
      return ownsOnly(op.grant.clouds) ? ALLOWED : refuse(`the grant applies in ${op.grant.clouds.join(', ')}; the caller administers ${own}`);
    case 'change-rule-text':
      return op.grants.every((g) => ownsOnly(g.clouds)) ? ALLOWED : refuse(`the rule grants outside ${own}`);
    case 'propose-trust':
      return op.partner === own ? ALLOWED : refuse(`only the partner ${op.partner} (or a federation admin) proposes it`);
    case 'accept-trust':
      return op.home === own ? ALLOWED : refuse(`it writes a client into ${op.home}'s realm, so only ${op.home} (or a federation admin) accepts it`);
    case 'remove-trust':
      return op.home === own || op.partner === own ? ALLOWED : refuse(`neither ${op.home} nor ${op.partner} is the caller's cloud`);
    case 'read-federation': case 'change-federation':
      return refuse('it concerns the whole federation: federation admins only');
  }
}

/** Throws the refusal as a BrokerError (details: the operation and the reason), else returns. */
export function authorize(actor: Actor, op: Operation, privileged: FederationSpec['privileged']): void {
  const decision = decide(actor, op, privileged);
  if (!decision.allowed) throw refusal(decision, op);
}

export function refusal(decision: Exclude<Decision, { allowed: true }>, op: Operation): BrokerError {
  return new BrokerError(decision.code, `not allowed to ${describeOperation(op)}: ${decision.reason}`, { details: { operation: op.kind, reason: decision.reason } });
}

function refuse(reason: string): Decision {
  return { allowed: false, code: 'ERR_FORBIDDEN_CLOUD', reason };
}

/** A grant of a privileged Keystone role or a forbidden Kubernetes role (validation's rules, src/core/policy/safety.ts). */
function privilegedGrantReason(op: Operation, privileged: FederationSpec['privileged']): string | undefined {
  const grants: readonly GrantSpec[] = op.kind === 'change-grant' ? [op.grant] : [];
  for (const g of grants) {
    const role = g.keystone.flatMap((k) => k.roles).find((r) => isPrivilegedKeystoneRole(privileged, r));
    if (role) return `Keystone role "${role}" is privileged`;
    for (const k of g.kubernetes) {
      const reason = (k.clusterRole && forbiddenKubernetesRoleReason(privileged, 'ClusterRole', k.clusterRole)) || (k.role && forbiddenKubernetesRoleReason(privileged, 'Role', k.role));
      if (reason) return reason;
    }
  }
  return undefined;
}
