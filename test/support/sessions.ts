// Session counts through the test bed's own Keycloak admin login (not the broker's), for assertions.
import { findUser } from './keycloak-admin.ts';
import { keycloakAdminFetch } from './testbed.ts';

export async function sessionCount(realm: string, username: string): Promise<number> {
  const user = await findUser(realm, username);
  if (!user) return 0;
  const res = await keycloakAdminFetch(`/admin/realms/${realm}/users/${user.id}/sessions`);
  if (!res.ok) throw new Error(`sessions of ${username} in ${realm}: ${res.status}`);
  return ((await res.json()) as unknown[]).length;
}

/** Ids of the user's sessions in a realm (empty when the user does not exist). */
export async function sessionIds(realm: string, username: string): Promise<string[]> {
  const user = await findUser(realm, username);
  if (!user) return [];
  const res = await keycloakAdminFetch(`/admin/realms/${realm}/users/${user.id}/sessions`);
  if (!res.ok) throw new Error(`sessions of ${username} in ${realm}: ${res.status}`);
  return ((await res.json()) as { id: string }[]).map((s) => s.id);
}

/** Ids of the sessions of a user known by id (one admin call; for probes that poll). */
export async function sessionIdsOfUser(realm: string, userId: string): Promise<string[]> {
  const res = await keycloakAdminFetch(`/admin/realms/${realm}/users/${userId}/sessions`);
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`sessions of user ${userId} in ${realm}: ${res.status}`);
  return ((await res.json()) as { id: string }[]).map((s) => s.id);
}
