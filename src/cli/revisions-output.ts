// How `fedbroker revisions` and `fedbroker trust` show spec revisions and trust proposals (API mode,
// against a running broker): one line per revision or proposal, the diff of one revision path by
// path; -o json prints the broker's JSON as it came.
import type { TrustProposal } from '../core/authz/trust-proposal.ts';
import type { RevisionSummary } from '../core/revisions/revision.ts';
import { EXIT, printJson, type OutputFormat } from './output.ts';

export interface RevisionList { readonly latest: number; readonly revisions: readonly RevisionSummary[] }

function origin(r: RevisionSummary): string {
  switch (r.origin.kind) {
    case 'import': return `imported from ${r.origin.source}`;
    case 'apply': return `plan ${r.origin.planId}`;
    case 'rollback': return `rollback to ${r.origin.to} (plan ${r.origin.planId})`;
  }
}

function result(r: RevisionSummary): string {
  const x = r.result;
  if (x.status === 'applying' || x.status === 'imported') return x.status;
  return `${x.status}: ${x.applied} applied, ${x.failed} failed, ${x.notAttempted} not attempted, ${x.unreachable} unreachable`;
}

const revisionLine = (r: RevisionSummary) => `${String(r.number).padStart(4)}  ${r.createdAt}  ${r.author}  ${origin(r)}  [${result(r)}]  ${r.diff.length} change(s)`;

export function printRevisions(list: RevisionList, format: OutputFormat): number {
  if (format === 'json') { printJson(list); return EXIT.OK; }
  console.log(`spec revisions (latest ${list.latest}), the newest first:`);
  for (const r of list.revisions) console.log(revisionLine(r));
  return EXIT.OK;
}

/** One revision as the broker answers it: the summary, and the whole spec for a federation admin (JSON only). */
export function printRevision(answer: { readonly revision: RevisionSummary; readonly spec?: unknown }, format: OutputFormat): number {
  if (format === 'json') { printJson(answer); return EXIT.OK; }
  const { revision } = answer;
  console.log(revisionLine(revision));
  if (revision.diff.length === 0) console.log('  no change against the revision before');
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  for (const d of revision.diff) console.log(`  ${sign[d.change]} ${d.path}${d.change === 'changed' ? `: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}` : ''}`);
  return EXIT.OK;
}

const proposalLine = (p: TrustProposal) => `${p.id}  ${p.home} → ${p.partner}  ${p.status}  proposed by ${p.proposedBy} at ${p.proposedAt}`
  + `${p.decidedBy ? `; ${p.status} by ${p.decidedBy} at ${p.decidedAt ?? '?'}` : ''}${p.revision !== undefined ? `; revision ${p.revision}` : ''}`;

export function printProposals(proposals: readonly TrustProposal[], format: OutputFormat): number {
  if (format === 'json') { printJson({ proposals }); return EXIT.OK; }
  if (proposals.length === 0) console.log('no trust proposals');
  for (const p of proposals) console.log(proposalLine(p));
  return EXIT.OK;
}

export function printProposal(proposal: TrustProposal, format: OutputFormat): number {
  if (format === 'json') { printJson({ proposal }); return EXIT.OK; }
  console.log(proposalLine(proposal));
  return EXIT.OK;
}
