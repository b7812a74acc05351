// The catch-all: LOGOUT events of a realm that no token reported. Reads the realm's events from the
// durable checkpoint on, starts a logout for each (the session claim coalesces those a token already
// reported), and moves the checkpoint after each one: nothing is processed twice or skipped across
// restarts. The first run starts at the present (history is not replayed).
import { eventIdFor } from '../../core/logout/subject.ts';
import type { EventCheckpoint } from '../../ports.ts';
import { realmOf, type LogoutDeps } from './deps.ts';
import { startLogout } from './start.ts';

export interface PollResult { readonly started: number; readonly coalesced: number; readonly failed: number }

const PAGE = 100;

export async function pollLogoutEvents(deps: LogoutDeps, cloud: string): Promise<PollResult> {
  const realm = realmOf(deps, cloud);
  let checkpoint: EventCheckpoint | undefined = await deps.store.checkpoint(cloud);
  if (!checkpoint) {
    await deps.store.saveCheckpoint(cloud, { time: deps.clock.now().getTime(), ids: [] });
    return { started: 0, coalesced: 0, failed: 0 };
  }
  const since = checkpoint.time;
  const result = { started: 0, coalesced: 0, failed: 0 };
  for (let first = 0; ; first += PAGE) {
    const page = await deps.keycloak(cloud).logoutEvents(realm, since, first, PAGE);
    for (const event of page) {
      if (event.time < checkpoint.time || (event.time === checkpoint.time && checkpoint.ids.includes(event.id))) continue;
      try {
        const started = await startLogout(deps, { source: 'keycloak-event', cloud, ref: event.id, userId: event.userId, loggedOutAt: event.time, ...(event.sessionId && { sessionId: event.sessionId }) });
        result[started.coalesced ? 'coalesced' : 'started'] += 1;
      } catch (error) {
        // A subject that cannot be resolved is audited and passed; anything else (store, queue) stops the poll here.
        if (!(error instanceof Error && 'code' in error && error.code === 'ERR_LOGOUT_SUBJECT_UNKNOWN')) throw error;
        deps.audit.record({ action: 'logout.unresolved', correlationId: eventIdFor({ source: 'keycloak-event', cloud, ref: event.id }), cloud, realmEvent: event.id, reason: error.message });
        result.failed += 1;
      }
      checkpoint = event.time > checkpoint.time ? { time: event.time, ids: [event.id] } : { time: checkpoint.time, ids: [...checkpoint.ids, event.id] };
      await deps.store.saveCheckpoint(cloud, checkpoint);
    }
    if (page.length < PAGE) return result;
  }
}
