// The admin API's operation routes: role sync (start a run, read its report) and admin logout
// (a global logout of a user, the end of her sessions in one cloud only, the delivery report). Each
// reuses the CLI's use case.
import { describeActor } from '../../core/authz/actor.ts';
import { BrokerError, isBrokerError } from '../../core/errors.ts';
import { syncRunToJson } from '../../core/sync/format.ts';
import { authorizeAll } from '../../services/api/authorize.ts';
import { adminCloudLogout, adminLogout, logoutReport } from '../../services/logout/admin.ts';
import type { SyncReport } from '../../services/sync.ts';
import type { SyncResultJson } from './deps.ts';
import { route, type ApiRequest } from './route.ts';
import * as s from './schemas.ts';

type SyncBody = { clouds?: string[]; dryRun: boolean; confirm: boolean };

export const OPERATION_ROUTES = [
  route({
    method: 'post', path: '/sync', operationId: 'startSync', summary: 'Start a role-sync run of partner clouds (a cloud admin: its own cloud); its report at /sync/{id}.',
    body: s.syncRequest, responses: { 202: s.syncStartedResponse },
    handle: async (deps, req: ApiRequest<SyncBody, unknown>) => {
      const spec = deps.current.get();
      const { actor } = req.ctx;
      const clouds = req.body.clouds ?? (actor.cloudAdminOf !== undefined && !actor.federationAdmin ? [actor.cloudAdminOf] : spec.clouds.map((c) => c.alias));
      authorizeAll(deps, req.ctx, clouds.map((cloud) => ({ kind: 'sync', cloud })), spec.privileged);
      for (const c of clouds) if (!spec.clouds.some((x) => x.alias === c)) throw new BrokerError('ERR_NOT_FOUND', `cloud ${c} is not in the spec`, { details: { cloud: c } });
      const run = deps.sync;
      if (!run) throw new BrokerError('ERR_CONFIG_INVALID', 'role sync is not composed in this broker');
      const id = `sync-${deps.ids.newId()}`;
      const startedAt = deps.clock.now().getTime();
      await deps.syncRuns.put({ id, status: 'running', clouds, startedAt });
      deps.audit.record({ action: 'api.sync.started', correlationId: req.ctx.requestId, syncId: id, actor: describeActor(req.ctx.actor), clouds, dryRun: req.body.dryRun });
      void run({ clouds, dryRun: req.body.dryRun, confirm: req.body.confirm }).then(
        (report) => deps.syncRuns.put({ id, status: 'done', clouds, startedAt, result: syncResultJson(report) }),
        (error: unknown) => deps.syncRuns.put({ id, status: 'failed', clouds, startedAt, error: { code: isBrokerError(error) ? error.code : 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) } }),
      );
      return { status: 202, body: { syncId: id, status: 'running' } };
    },
  }),
  route({
    method: 'get', path: '/sync/:id', operationId: 'syncReport', summary: 'The report of a role-sync run started over the API.',
    responses: { 200: s.syncReportResponse },
    handle: async (deps, req) => {
      const id = req.params['id'] ?? '';
      const run = await deps.syncRuns.get(id);
      if (!run) throw new BrokerError('ERR_NOT_FOUND', `no sync run ${id}`, { details: { syncId: id } });
      authorizeAll(deps, req.ctx, run.clouds.map((cloud) => ({ kind: 'read', cloud })), deps.current.get().privileged);
      return { status: 200, body: { ...run, startedAt: new Date(run.startedAt).toISOString() } };
    },
  }),
  route({
    method: 'post', path: '/logout', operationId: 'startLogout', summary: 'Global logout of a user (every realm, every Keystone); a cloud admin: users homed at its cloud.',
    body: s.logoutRequest, responses: { 202: s.logoutStartedResponse },
    handle: async (deps, req: ApiRequest<{ subject: string }, unknown>) => {
      const { home, username } = splitSubject(req.body.subject);
      authorizeAll(deps, req.ctx, [{ kind: 'global-logout', homeCloud: home }], deps.current.get().privileged);
      const started = await adminLogout(deps.logout, home, username);
      deps.audit.record({ action: 'api.logout.started', correlationId: req.ctx.requestId, eventId: started.eventId, actor: describeActor(req.ctx.actor), homeCloud: home });
      return { status: 202, body: started };
    },
  }),
  route({
    method: 'post', path: '/clouds/:cloud/logout', operationId: 'startCloudLogout',
    summary: 'End a user\'s sessions in this cloud only (its realm and Keystone; other clouds and her home keep theirs); a cloud admin: its own cloud.',
    body: s.logoutRequest, responses: { 202: s.logoutStartedResponse },
    handle: async (deps, req: ApiRequest<{ subject: string }, unknown>) => {
      const cloud = req.params['cloud'] ?? '';
      authorizeAll(deps, req.ctx, [{ kind: 'logout-realm', cloud }], deps.current.get().privileged);
      const { home, username } = splitSubject(req.body.subject);
      const started = await adminCloudLogout(deps.logout, cloud, home, username);
      deps.audit.record({ action: 'api.logout.started', correlationId: req.ctx.requestId, eventId: started.eventId, actor: describeActor(req.ctx.actor), homeCloud: home, onlyCloud: cloud });
      return { status: 202, body: started };
    },
  }),
  route({
    method: 'get', path: '/logout/events/:id', operationId: 'logoutReport', summary: 'The delivery report of a logout event (a cloud admin: of users homed at its cloud, and of its own one-cloud logouts).',
    responses: { 200: s.logoutReportResponse },
    handle: async (deps, req) => {
      const report = await logoutReport(deps.logout, req.params['id'] ?? '');
      // A logout in one cloud only is that cloud's; a global one belongs to the user's home.
      authorizeAll(deps, req.ctx, [{ kind: 'read', cloud: report.onlyCloud ?? report.subject.homeCloud }], deps.current.get().privileged);
      return { status: 200, body: report };
    },
  }),
];

/** `<home>:<username>`, as the request schema lets it through (both parts present). */
function splitSubject(subject: string): { home: string; username: string } {
  const at = subject.indexOf(':');
  return { home: subject.slice(0, at), username: subject.slice(at + 1) };
}

function syncResultJson(report: SyncReport): SyncResultJson {
  // The same JSON as `fedbroker sync -o json`, plus the number of changes that failed.
  return { ...syncRunToJson(report), changeErrors: report.applied.flat().filter((a) => a.error !== undefined).length } as SyncResultJson;
}
