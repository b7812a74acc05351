// Authorization of one admin API request: every operation it amounts to is decided
// (src/core/authz); the first refusal is audited and thrown, nothing is done.
import { describeActor, type Actor } from '../../core/authz/actor.ts';
import { decide, refusal } from '../../core/authz/authorize.ts';
import type { Operation } from '../../core/authz/operations.ts';
import type { FederationSpec } from '../../core/federation/schema.ts';
import type { AuditLog } from '../../ports.ts';

export interface AuthorizeDeps {
  readonly audit: AuditLog;
}

export interface RequestContext {
  readonly actor: Actor;
  /** The request's id: the audit lines' correlation id and the error id of its problem document. */
  readonly requestId: string;
  /** `POST /api/v1/plan`, for audit lines. */
  readonly route: string;
}

export function authorizeAll(deps: AuthorizeDeps, ctx: RequestContext, ops: readonly Operation[], privileged: FederationSpec['privileged']): void {
  for (const op of ops) {
    const decision = decide(ctx.actor, op, privileged);
    if (decision.allowed) continue;
    deps.audit.record({ action: 'api.refused', correlationId: ctx.requestId, route: ctx.route, actor: describeActor(ctx.actor), operation: op.kind, code: decision.code, reason: decision.reason });
    throw refusal(decision, op);
  }
}
