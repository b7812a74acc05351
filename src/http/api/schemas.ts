// The admin API's request and response shapes, as zod schemas: the routes validate requests with
// them and the OpenAPI document (./openapi.ts) is generated from them, so the two cannot drift.
import { z } from 'zod';
import { CORRELATION_ID_PATTERN } from '../../core/audit/record.ts';
import { cloudAlias, federationSpecSchema } from '../../core/federation/schema.ts';

const subjectArgument = z.string().regex(/^[a-z][a-z0-9-]*:.+$/, { message: 'must be <home cloud>:<username>, e.g. cloud-a:alice' });
const errorSummary = z.object({ code: z.string(), message: z.string() });

export const validateRequest = z.strictObject({ spec: federationSpecSchema });
export const planRequest = z.strictObject({ spec: federationSpecSchema.optional() });
export const applyRequest = z.strictObject({ planId: z.string().min(1).max(200) });
export const statusQuery = z.strictObject({ cloud: cloudAlias.optional() });
export const explainRequest = z.strictObject({
  subject: subjectArgument.optional(),
  claims: z.record(z.string(), z.unknown()).optional(),
  /** Only what this partner cloud grants (a cloud admin sees only its own cloud). */
  cloud: cloudAlias.optional(),
}).refine((r) => (r.subject === undefined) !== (r.claims === undefined), { message: 'give exactly one of subject and claims' });
export const syncRequest = z.strictObject({
  clouds: z.array(cloudAlias).min(1).optional(),
  dryRun: z.boolean().default(false),
  confirm: z.boolean().default(false),
});
export const logoutRequest = z.strictObject({ subject: subjectArgument });
export const auditQuery = z.strictObject({
  since: z.string().max(40).optional(),
  cloud: cloudAlias.optional(),
  correlationId: z.string().regex(CORRELATION_ID_PATTERN).optional(),
  limit: z.string().regex(/^\d{1,5}$/).optional(),
});
const auditRecord = z.object({
  id: z.string(), time: z.string(), action: z.string(), correlationId: z.string(), actor: z.string(),
  clouds: z.array(z.string()), outcome: z.enum(['ok', 'failed', 'refused', 'retrying', 'error']), detail: z.record(z.string(), z.unknown()),
});
export const auditResponse = z.object({ records: z.array(auditRecord) });

export const problemResponse = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), code: z.string(), detail: z.string(), errorId: z.string(),
  problems: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
});

const actorResponse = z.object({
  subject: z.string(), issuer: z.string(), username: z.string().optional(), homeCloud: z.string().optional(),
  federationAdmin: z.boolean(), cloudAdminOf: z.string().optional(),
});
export const healthResponse = z.object({ status: z.literal('ok'), actor: actorResponse });
export const validateResponse = z.object({
  valid: z.literal(true),
  summary: z.object({ name: z.string(), clouds: z.number().int(), trustEdges: z.number().int(), policyRules: z.number().int(), examples: z.number().int() }),
});
const planSummary = z.object({ create: z.number().int(), update: z.number().int(), delete: z.number().int(), noop: z.number().int(), conflict: z.number().int() });
const unreachablePart = z.object({ system: z.string(), cloud: z.string(), part: z.string(), scope: z.string().optional(), code: z.string(), message: z.string() });
const planChange = z.object({
  action: z.enum(['create', 'update', 'delete', 'conflict']), system: z.string(), cloud: z.string(), scope: z.string(), kind: z.string(), name: z.string(),
  reason: z.string().optional(), fieldChanges: z.array(z.object({ path: z.string(), observed: z.unknown(), desired: z.unknown() })), writeOnly: z.array(z.string()).optional(),
  writeOnlySources: z.record(z.string(), z.string()).optional(),
});
export const planResponse = z.object({
  planId: z.string(), expiresAt: z.iso.datetime(), summary: planSummary, changes: z.array(planChange), unreachable: z.array(unreachablePart),
  /** A rollback plan: the revision whose spec it restores. */
  rollbackOf: z.number().int().optional(),
  /** The plan of an accepted trust proposal. */
  proposalId: z.string().optional(),
});
export const trustProposalRequest = z.strictObject({ home: cloudAlias, partner: cloudAlias });
const trustProposal = z.object({
  id: z.string(), home: z.string(), partner: z.string(), status: z.enum(['pending', 'accepted', 'withdrawn']),
  proposedBy: z.string(), proposedAt: z.iso.datetime(), decidedBy: z.string().optional(), decidedAt: z.iso.datetime().optional(), revision: z.number().int().optional(),
});
export const trustProposalResponse = z.object({ proposal: trustProposal });
export const trustProposalsResponse = z.object({ proposals: z.array(trustProposal) });
const condition = z.object({ cloud: z.string(), type: z.string(), system: z.string().optional(), status: z.enum(['True', 'False', 'Unknown']), reason: z.string(), message: z.string() });
const partOutcome = z.object({
  cloud: z.string(), system: z.string(), applied: z.array(z.string()), failed: z.array(z.object({ key: z.string(), code: z.string(), message: z.string() })),
  notAttempted: z.array(z.object({ key: z.string(), waitsFor: z.string() })), unreachable: z.array(z.unknown()),
  condition,
});
export const applyResponse = z.object({
  planId: z.string(), applied: z.number().int(), failed: z.number().int(), notAttempted: z.number().int(), total: z.number().int(),
  summary: planSummary, unreachable: z.array(unreachablePart), parts: z.array(partOutcome),
  /** API mode: the spec revision the apply recorded (absent when the spec did not change). */
  revision: z.number().int().optional(),
});
export const revisionsQuery = z.strictObject({
  limit: z.string().regex(/^([1-9]\d{0,2}|1000)$/, { message: 'must be 1 to 1000' }).optional(),
  before: z.string().regex(/^[1-9]\d{0,8}$/).optional(),
});
const revisionSummary = z.object({
  number: z.number().int(), fingerprint: z.string(), author: z.string(), createdAt: z.iso.datetime(), finishedAt: z.iso.datetime().optional(),
  origin: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('import'), source: z.string() }),
    z.object({ kind: z.literal('apply'), planId: z.string() }),
    z.object({ kind: z.literal('rollback'), planId: z.string(), to: z.number().int() }),
  ]),
  diff: z.array(z.object({ path: z.string(), change: z.enum(['added', 'removed', 'changed']), before: z.unknown().optional(), after: z.unknown().optional() })),
  result: z.object({ status: z.enum(['applying', 'applied', 'failed', 'imported']), applied: z.number().int().optional(), failed: z.number().int().optional(), notAttempted: z.number().int().optional(), unreachable: z.number().int().optional() }),
});
export const revisionsResponse = z.object({ latest: z.number().int(), revisions: z.array(revisionSummary) });
export const revisionResponse = z.object({ revision: revisionSummary, spec: z.record(z.string(), z.unknown()).optional() });
export const statusResponse = z.object({
  conditions: z.array(condition),
});
export const explainResponse = z.object({
  subject: z.object({ homeCloud: z.string(), homeUsername: z.string(), groups: z.array(z.string()) }).loose(),
  partners: z.array(z.object({ cloud: z.string(), username: z.string(), groups: z.array(z.string()), keystone: z.object({ outcome: z.string() }).loose(), kubernetes: z.array(z.unknown()) }).loose()),
});
const runStatus = z.enum(['running', 'done', 'failed']);
export const syncStartedResponse = z.object({ syncId: z.string(), status: runStatus });
export const syncReportResponse = z.object({
  id: z.string(), status: runStatus, clouds: z.array(z.string()), startedAt: z.iso.datetime(),
  result: z.object({
    dryRun: z.boolean(), stoppedByBrake: z.boolean(), stopped: z.boolean(),
    summary: z.object({ added: z.number().int(), removed: z.number().int(), changed: z.number().int(), effects: z.number().int() }),
    failures: z.array(z.object({ cloud: z.string(), system: z.string().optional(), part: z.string(), home: z.string().optional(), code: z.string(), message: z.string() })),
    brake: z.array(z.unknown()), changeErrors: z.number().int(),
    targets: z.array(z.object({
      home: z.string(), cloud: z.string(), system: z.string(), observedUsers: z.number().int(), observedMemberships: z.number().int(),
      changes: z.array(z.object({ op: z.string(), description: z.string(), reason: z.string(), applied: z.boolean(), failed: z.literal(true).optional() })),
    })),
  }).optional(),
  error: errorSummary.optional(),
});
export const logoutStartedResponse = z.object({ eventId: z.string(), coalesced: z.boolean() });
export const logoutReportResponse = z.object({
  id: z.string(), outcome: z.string(), cloud: z.string(), source: z.string(),
  deliveries: z.array(z.object({ system: z.string(), cloud: z.string(), status: z.string(), attempts: z.number().int() }).loose()),
}).loose();
