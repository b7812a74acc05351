// Small admin-API look-ups for assertions (through the test bed's own admin login, not the broker's).
import assert from 'node:assert/strict';
import { keycloakAdminFetch } from './testbed.ts';

export interface KcUser { id: string; username: string; attributes?: Record<string, string[]> }

export async function adminJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await keycloakAdminFetch(path, init);
  const text = await res.text();
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function findUser(realm: string, username: string): Promise<KcUser | undefined> {
  const users = await adminJson<KcUser[]>(`/admin/realms/${realm}/users?exact=true&briefRepresentation=false&username=${encodeURIComponent(username)}`);
  return users.find((u) => u.username === username);
}

export async function deleteUserIfPresent(realm: string, username: string): Promise<void> {
  const user = await findUser(realm, username);
  if (user) await adminJson(`/admin/realms/${realm}/users/${user.id}`, { method: 'DELETE' });
}

export async function federatedIdentities(realm: string, userId: string): Promise<{ identityProvider: string; userName: string }[]> {
  return adminJson(`/admin/realms/${realm}/users/${userId}/federated-identity`);
}

export async function clientByClientId(realm: string, clientId: string): Promise<{ id: string; clientId: string }> {
  const clients = await adminJson<{ id: string; clientId: string }[]>(`/admin/realms/${realm}/clients?clientId=${encodeURIComponent(clientId)}`);
  const client = clients.find((c) => c.clientId === clientId);
  assert.ok(client, `client ${clientId} in ${realm}`);
  return client;
}

export function jsonBody(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

async function must(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** Creates a realm role (if missing) and gives it to the user (admin API tests: who is a cloud or federation admin). */
export async function grantRealmRole(realm: string, role: string, username: string): Promise<void> {
  const created = await keycloakAdminFetch(`/admin/realms/${realm}/roles`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: role }) });
  if (created.status !== 201 && created.status !== 409) throw new Error(`create role ${role} in ${realm}: ${created.status}`);
  const roleRep = await (await must(await keycloakAdminFetch(`/admin/realms/${realm}/roles/${role}`), 'read role')).json() as { id: string; name: string };
  const [user] = await (await must(await keycloakAdminFetch(`/admin/realms/${realm}/users?username=${username}&exact=true`), 'find user')).json() as { id: string }[];
  if (!user) throw new Error(`no user ${username} in ${realm}`);
  await must(await keycloakAdminFetch(`/admin/realms/${realm}/users/${user.id}/role-mappings/realm`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([roleRep]) }), 'assign role');
}
