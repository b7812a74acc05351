// `fedbroker revisions` and `fedbroker trust` against a running broker in API mode (docs/api.md, "Spec
// revisions", "Trust proposals"): list and read revisions, plan a rollback, propose, list, accept and
// withdraw trust edges. They exist only where the broker keeps them, so they need --server. A rollback
// or an acceptance prints a plan like `plan` does; `apply --plan-id` applies exactly that plan.
import type { TrustProposal } from '../../core/authz/trust-proposal.ts';
import type { RevisionSummary } from '../../core/revisions/revision.ts';
import { BrokerError } from '../../core/errors.ts';
import { planExitCode, printPlan, type PlanOutputJson } from '../federation-output.ts';
import type { OutputFormat } from '../output.ts';
import { printProposal, printProposals, printRevision, printRevisions, type RevisionList } from '../revisions-output.ts';
import type { BrokerApiClient } from './api-client.ts';
import { withBroker } from './connection.ts';
import { printPlanId } from './federation.ts';
import { remoteServer, type RemoteOptions } from './options.ts';

type Output = { output: OutputFormat } & RemoteOptions;

function needsServer(opts: RemoteOptions, command: string): void {
  if (remoteServer(opts) === undefined) {
    throw new BrokerError('ERR_USAGE', `fedbroker ${command} talks to a running broker in API mode: give --server URL (or set FEDBROKER_SERVER)`, { details: { command } });
  }
}

function revisionNumber(value: string): string {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new BrokerError('ERR_USAGE', `a revision number is 1, 2, ...; not "${value}"`, { details: { argument: 'number' } });
  return value;
}

function showPlan(plan: PlanOutputJson, api: BrokerApiClient, format: OutputFormat): number {
  printPlan(plan, format);
  if (format !== 'json') printPlanId(plan, api);
  return planExitCode(plan, false);
}

export async function revisionsRemote(opts: Output & { limit?: string; before?: string }): Promise<number> {
  needsServer(opts, 'revisions');
  return withBroker(opts, async (api) => printRevisions(await api.get<RevisionList>('/revisions', { limit: opts.limit, before: opts.before }), opts.output));
}

export async function revisionShowRemote(number: string, opts: Output): Promise<number> {
  needsServer(opts, 'revisions show');
  const n = revisionNumber(number);
  return withBroker(opts, async (api) => printRevision(await api.get<{ revision: RevisionSummary; spec?: unknown }>(`/revisions/${n}`), opts.output));
}

export async function rollbackRemote(number: string, opts: Output): Promise<number> {
  needsServer(opts, 'revisions rollback');
  const n = revisionNumber(number);
  return withBroker(opts, async (api) => showPlan(await api.post<PlanOutputJson>(`/revisions/${n}/rollback`, {}), api, opts.output));
}

export async function trustProposeRemote(home: string, partner: string, opts: Output): Promise<number> {
  needsServer(opts, 'trust propose');
  return withBroker(opts, async (api) => printProposal((await api.post<{ proposal: TrustProposal }>('/trust/proposals', { home, partner })).proposal, opts.output));
}

export async function trustListRemote(opts: Output): Promise<number> {
  needsServer(opts, 'trust list');
  return withBroker(opts, async (api) => printProposals((await api.get<{ proposals: TrustProposal[] }>('/trust/proposals')).proposals, opts.output));
}

export async function trustAcceptRemote(id: string, opts: Output): Promise<number> {
  needsServer(opts, 'trust accept');
  return withBroker(opts, async (api) => showPlan(await api.post<PlanOutputJson>(`/trust/proposals/${encodeURIComponent(id)}/accept`, {}), api, opts.output));
}

export async function trustWithdrawRemote(id: string, opts: Output): Promise<number> {
  needsServer(opts, 'trust withdraw');
  return withBroker(opts, async (api) => printProposal((await api.post<{ proposal: TrustProposal }>(`/trust/proposals/${encodeURIComponent(id)}/withdraw`, {})).proposal, opts.output));
}
