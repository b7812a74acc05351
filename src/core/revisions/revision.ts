// Spec revisions (docs/api.md, "Spec revisions"): in API mode every spec the broker applies is a
// numbered revision with its author, time, what changed against the revision before, and the outcome
// of its apply. Pure: times and authors are passed in.
import type { FederationSpec } from '../federation/schema.ts';
import { specDiff, type SpecDiffEntry } from './diff.ts';

/** How a revision came to be. */
export type RevisionOrigin =
  /** The spec file serve started from, or an import of a backup. */
  | { readonly kind: 'import'; readonly source: string }
  /** An API plan applied by its id. */
  | { readonly kind: 'apply'; readonly planId: string }
  /** The spec of an earlier revision, planned again and applied. */
  | { readonly kind: 'rollback'; readonly planId: string; readonly to: number };

/** The outcome of the revision's apply; `applying` until it has finished (or when its broker died). */
export type RevisionResult =
  | { readonly status: 'applying' }
  | { readonly status: 'applied' | 'failed'; readonly applied: number; readonly failed: number; readonly notAttempted: number; readonly unreachable: number }
  | { readonly status: 'imported' };

export interface Revision {
  readonly number: number;
  readonly spec: FederationSpec;
  /** sha256 of the canonical spec (the plan's base fingerprint). */
  readonly fingerprint: string;
  /** "broker", "<username or sub> (<issuer>)", or "cli <os user>". */
  readonly author: string;
  readonly createdAt: string;
  readonly origin: RevisionOrigin;
  /** What changed against the revision before (empty for revision 1). */
  readonly diff: readonly SpecDiffEntry[];
  readonly result: RevisionResult;
  readonly finishedAt?: string;
}

/** A revision without its spec, as listed. */
export type RevisionSummary = Omit<Revision, 'spec'>;

export function summarize(revision: Revision): RevisionSummary {
  const { spec: _spec, ...summary } = revision;
  return summary;
}

export interface NextRevision {
  readonly previous: Revision | undefined;
  readonly spec: FederationSpec;
  readonly fingerprint: string;
  readonly author: string;
  readonly timeMs: number;
  readonly origin: RevisionOrigin;
  readonly result?: RevisionResult;
}

/** The revision after `previous` (or revision 1), its diff against it. */
export function nextRevision(next: NextRevision): Revision {
  return {
    number: (next.previous?.number ?? 0) + 1,
    spec: next.spec,
    fingerprint: next.fingerprint,
    author: next.author,
    createdAt: new Date(next.timeMs).toISOString(),
    origin: next.origin,
    diff: next.previous ? specDiff(next.previous.spec, next.spec) : [],
    result: next.result ?? { status: 'applying' },
  };
}

export function finished(revision: Revision, result: RevisionResult, timeMs: number): Revision {
  return { ...revision, result, finishedAt: new Date(timeMs).toISOString() };
}
