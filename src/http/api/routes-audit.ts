// The admin API's audit route: the durable audit trail, the oldest record first. A federation admin
// reads all of it; a cloud admin only the records that touched its own cloud.
import { auditQueryOf } from '../../core/audit/query.ts';
import { BrokerError } from '../../core/errors.ts';
import { authorizeAll } from '../../services/api/authorize.ts';
import { route, type ApiRequest } from './route.ts';
import { readScope } from './routes-federation.ts';
import * as s from './schemas.ts';

type AuditQueryParams = { since?: string; cloud?: string; correlationId?: string; limit?: string };

export const AUDIT_ROUTES = [
  route({
    method: 'get', path: '/audit', operationId: 'audit',
    summary: 'Audit records (since: a time or 90s/30m/12h/7d; cloud; correlationId; limit up to 10000); a cloud admin: its own cloud\'s.',
    query: s.auditQuery, responses: { 200: s.auditResponse },
    handle: async (deps, req: ApiRequest<unknown, AuditQueryParams>) => {
      const spec = deps.current.get();
      if (req.query.cloud !== undefined && !spec.clouds.some((c) => c.alias === req.query.cloud)) {
        throw new BrokerError('ERR_NOT_FOUND', `cloud ${req.query.cloud} is not in the spec`, { details: { cloud: req.query.cloud } });
      }
      const scope = readScope(req.ctx.actor, req.query.cloud);
      authorizeAll(deps, req.ctx, [scope], spec.privileged);
      const query = auditQueryOf({ ...req.query, ...(scope.kind === 'read' && { cloud: scope.cloud }) }, deps.clock.now().getTime(), (name) => `query parameter ${name === 'correlation-id' ? 'correlationId' : name}`);
      return { status: 200, body: { records: await deps.auditStore.query(query) } };
    },
  }),
];
