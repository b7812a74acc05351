// Which home users an admin-event batch names (docs/sync.md, "The event path"). Keycloak records an
// admin event for every write through its admin API; role sync acts on three: a group membership
// added or removed (resourceType GROUP_MEMBERSHIP, resourcePath users/<id>/groups/<group id>), a
// user updated (USER UPDATE: enabled false, or true again) and a user deleted (USER DELETE,
// users/<id>); USER CREATE too (a user made with groups), and a user made by a partial import
// (resourceType REALM, operationType CREATE, resourcePath users/<id>, measured). Every realm is also a partner, so the
// broker's own writes into it come back as admin events: those are told apart by the broker's admin
// identity (the user id of its admin token, authDetails.userId) and ignored. Pure.

/** An admin event of a home realm, reduced to what sync needs. */
export interface HomeAdminEvent {
  readonly id: string;
  /** ms since epoch, Keycloak's clock. */
  readonly time: number;
  readonly operationType: string;
  readonly resourceType: string;
  readonly resourcePath: string;
  /** authDetails.userId: who made the change. */
  readonly authUserId?: string;
}

/** Resource types sync reads (the query asks Keycloak for these only). */
export const SYNC_EVENT_RESOURCE_TYPES = ['USER', 'GROUP_MEMBERSHIP', 'REALM'] as const;

export type EventVerdict =
  | { readonly relevant: true; readonly userId: string; readonly what: string }
  | { readonly relevant: false; readonly why: 'own-write' | 'not-a-user-change' };

const USER_PATH = /^users\/([^/]+)(?:\/groups\/([^/]+))?$/;

/** Whether the event names a home user sync must look at again, and which. */
export function judgeEvent(event: HomeAdminEvent, brokerUserIds: ReadonlySet<string>): EventVerdict {
  if (event.authUserId !== undefined && brokerUserIds.has(event.authUserId)) return { relevant: false, why: 'own-write' };
  const m = USER_PATH.exec(event.resourcePath);
  if (!m) return { relevant: false, why: 'not-a-user-change' };
  const userId = m[1]!;
  if (event.resourceType === 'GROUP_MEMBERSHIP' && m[2] !== undefined && (event.operationType === 'CREATE' || event.operationType === 'DELETE')) {
    return { relevant: true, userId, what: event.operationType === 'DELETE' ? 'left a group' : 'joined a group' };
  }
  if (event.resourceType === 'USER' && m[2] === undefined && ['CREATE', 'UPDATE', 'DELETE'].includes(event.operationType)) {
    return { relevant: true, userId, what: event.operationType === 'DELETE' ? 'deleted' : event.operationType === 'CREATE' ? 'created' : 'updated' };
  }
  if (event.resourceType === 'REALM' && m[2] === undefined && event.operationType === 'CREATE') return { relevant: true, userId, what: 'imported' };
  return { relevant: false, why: 'not-a-user-change' };
}
