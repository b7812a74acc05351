// A home realm's admin events (HomeAdminEventsPort) over the cloud's Keycloak REST client. Measured
// on Keycloak 26.7.3 (docs/sync.md, "The event path"): GET /admin-events takes `dateFrom` as epoch
// milliseconds (inclusive), `direction=asc` for oldest first, `resourceTypes` repeated (USER, GROUP_MEMBERSHIP, REALM), and pages
// with first/max (without `direction` Keycloak answers newest first); an event carries its id, time (ms), operationType, resourceType, resourcePath and
// authDetails.userId (the subject of the admin token that made the change).
import type { HomeAdminEvent } from '../../core/sync/admin-events.ts';
import { SYNC_EVENT_RESOURCE_TYPES } from '../../core/sync/admin-events.ts';
import type { HomeAdminEventsPort } from '../../ports.ts';
import type { KeycloakRest } from './rest.ts';

interface AdminEventRep {
  id?: string; time?: number; operationType?: string; resourceType?: string; resourcePath?: string;
  authDetails?: { userId?: string; clientId?: string; realmId?: string };
}

export class KeycloakAdminEvents implements HomeAdminEventsPort {
  readonly cloud: string;
  readonly #rest: KeycloakRest;

  constructor(rest: KeycloakRest) {
    this.#rest = rest;
    this.cloud = rest.cloud;
  }

  async adminEvents(realm: string, sinceMs: number, first: number, max: number): Promise<HomeAdminEvent[]> {
    const query = new URLSearchParams({ dateFrom: String(Math.floor(sinceMs)), direction: 'asc', first: String(first), max: String(max) });
    for (const type of SYNC_EVENT_RESOURCE_TYPES) query.append('resourceTypes', type);
    const events = await this.#rest.get<AdminEventRep[]>(`/admin-events?${query}`, { realm, object: 'admin events' });
    return events.filter((e) => e.id && typeof e.time === 'number' && e.resourcePath).map((e) => ({
      id: e.id as string, time: e.time as number, operationType: e.operationType ?? '', resourceType: e.resourceType ?? '', resourcePath: e.resourcePath as string,
      ...(e.authDetails?.userId && { authUserId: e.authDetails.userId }),
    }));
  }

  async ownAdminUserId(): Promise<string | undefined> {
    const sub = (await this.#rest.tokenClaims())['sub'];
    return typeof sub === 'string' ? sub : undefined;
  }
}
