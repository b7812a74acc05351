// Trust proposals (docs/api.md, "Trust proposals"): a new edge home → partner needs both sides. The
// partner's admin proposes it (users of home may log into partner: it writes the partner's identity
// provider and mappings); the home's admin accepts it (it writes a client into the home's realm),
// which plans the current spec with the edge added. The proposal is the partner's consent: the plan
// of an accepted proposal may write into the partner's systems and add the edge although the one who
// accepts administers the home only. Pure.
import { BrokerError } from '../errors.ts';
import type { FederationSpec } from '../federation/schema.ts';
import { isTrusted } from '../federation/trust.ts';
import type { Operation } from './operations.ts';

export type TrustProposalStatus = 'pending' | 'accepted' | 'withdrawn';

export interface TrustProposal {
  readonly id: string;
  readonly home: string;
  readonly partner: string;
  readonly status: TrustProposalStatus;
  /** "<username or sub> (<issuer>)" of the partner's admin (or a federation admin). */
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  /** Accepted: the spec revision that added the edge. */
  readonly revision?: number;
}

/** What a proposal consented to, carried by the plan made when it is accepted. */
export interface TrustConsent {
  readonly proposalId: string;
  readonly home: string;
  readonly partner: string;
}

/** True for the operations the partner's proposal covers: proposing that edge, and writing into the partner's systems. */
export function consentCovers(consent: TrustConsent | undefined, op: Operation): boolean {
  if (!consent) return false;
  if (op.kind === 'propose-trust') return op.home === consent.home && op.partner === consent.partner;
  return op.kind === 'apply-in' && op.cloud === consent.partner;
}

/** Why no proposal home → partner can be made for this spec, or undefined. */
export function proposalConflict(spec: FederationSpec, home: string, partner: string): string | undefined {
  if (home === partner) return 'a cloud cannot trust itself';
  for (const alias of [home, partner]) if (!spec.clouds.some((c) => c.alias === alias)) return `cloud ${alias} is not in the spec`;
  if (spec.trust.mode === 'mesh') return 'the federation trusts as a mesh: every cloud trusts every other already';
  if (isTrusted(spec, home, partner)) return `${partner} trusts ${home} already`;
  return undefined;
}

/** The spec with the edge added, as a document to validate again (examples may change their outcome). */
export function specWithEdge(spec: FederationSpec, home: string, partner: string): unknown {
  const conflict = proposalConflict(spec, home, partner);
  if (conflict) throw new BrokerError('ERR_CONFLICT', `trust ${home} → ${partner} cannot be added: ${conflict}`, { details: { home, partner } });
  const edges = spec.trust.mode === 'edges' ? spec.trust.edges : [];
  return { ...spec, trust: { mode: 'edges', edges: [...edges, { home, partner }] } };
}
