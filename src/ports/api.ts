// Ports of the admin API (docs/api.md): bearer-token verification, the plans waiting to be applied,
// the sync runs started over HTTP, and the spec revisions of API mode.
import type { Actor } from '../core/authz/actor.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { Plan } from '../core/plan/diff.ts';
import type { Revision, RevisionSummary } from '../core/revisions/revision.ts';
import type { TrustConsent, TrustProposal } from '../core/authz/trust-proposal.ts';

/** A bearer token whose signature, issuer, audience and time claims verified. */
export interface VerifiedBearer {
  readonly issuer: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface BearerVerifier {
  /** ERR_UNAUTHENTICATED (details.reason) for anything that does not verify; ERR_HTTP_* when the issuer's keys cannot be read. */
  verify(token: string): Promise<VerifiedBearer>;
}

/** A plan as shown, waiting for its apply: the spec it plans and the fingerprints that make it stale. */
export interface StoredPlan {
  readonly id: string;
  readonly spec: FederationSpec;
  /** Fingerprint of the broker's current spec when the plan was made. */
  readonly baseFingerprint: string;
  /** Fingerprint of the plan (changes, observed state, unreachable parts). */
  readonly planFingerprint: string;
  /** API mode: the revision the plan was made on. */
  readonly baseRevision?: number;
  /** A rollback: the revision whose spec the plan restores. */
  readonly rollbackOf?: number;
  /** An accepted trust proposal: the partner's consent the plan carries. */
  readonly consent?: TrustConsent;
  readonly plan: Plan;
  readonly createdBy: Actor;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface PlanStore {
  save(plan: StoredPlan): Promise<void>;
  /** undefined when unknown or expired (at `nowMs`). */
  get(id: string, nowMs: number): Promise<StoredPlan | undefined>;
  /**
   * Takes the plan out, atomically (a plan is applied at most once, across broker processes): the plan
   * for exactly one of any number of callers, undefined for the others and when unknown or expired.
   */
  claim(id: string, nowMs: number): Promise<StoredPlan | undefined>;
}

export interface RunRecord<T> {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed';
  /** The clouds the run concerns (for authorization of its report). */
  readonly clouds: readonly string[];
  readonly startedAt: number;
  readonly result?: T;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface RunStore<T> {
  put(run: RunRecord<T>): Promise<void>;
  get(id: string): Promise<RunRecord<T> | undefined>;
}

/**
 * The spec revisions of API mode (docs/api.md, "Spec revisions"), shared by every broker process.
 * Numbers are consecutive: a revision is appended only as the successor of the latest one.
 */
export interface RevisionStore {
  latest(): Promise<Revision | undefined>;
  get(number: number): Promise<Revision | undefined>;
  /** The newest first, at most `limit`, below `before` when given. */
  list(options: { readonly limit: number; readonly before?: number }): Promise<RevisionSummary[]>;
  /** Appends `revision` when its number follows the latest; false when another revision took that number first. */
  append(revision: Revision): Promise<boolean>;
  /** Replaces a revision already stored (its result when its apply finished); ERR_NOT_FOUND when unknown. */
  update(revision: Revision): Promise<void>;
  /** Every revision, the oldest first (export). */
  all(): Promise<Revision[]>;
  /** Stores revisions 1..n of an export into an empty store, all or none; ERR_CONFLICT when revisions exist. */
  importAll(revisions: readonly Revision[]): Promise<void>;
}

/** Trust proposals waiting for the home's acceptance (docs/api.md, "Trust proposals"). */
export interface TrustProposalStore {
  put(proposal: TrustProposal): Promise<void>;
  get(id: string): Promise<TrustProposal | undefined>;
  /** Every proposal, the oldest first. */
  list(): Promise<TrustProposal[]>;
}
