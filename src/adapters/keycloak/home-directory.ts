// A home realm's users and their group paths (HomeDirectoryPort), read through the admin API.
import type { SubjectProfile } from '../../core/subject.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import type { HomeDirectoryPort } from '../../ports.ts';
import { AdminTokenSource } from './admin-token.ts';
import { keycloakHttpOut } from './factory.ts';
import { KeycloakRest, urlPath } from './rest.ts';
import { keycloakAdminCredentials } from './sessions-factory.ts';

export class KeycloakHomeDirectory implements HomeDirectoryPort {
  readonly cloud: string;
  readonly #rest: KeycloakRest;
  readonly #realm: string;
  readonly #close: () => Promise<void>;

  constructor(options: { cloud: string; realm: string; rest: KeycloakRest; close?: () => Promise<void> }) {
    this.cloud = options.cloud;
    this.#rest = options.rest;
    this.#realm = options.realm;
    this.#close = options.close ?? (async () => {});
  }

  async subject(username: string): Promise<SubjectProfile | undefined> {
    const target = { realm: this.#realm, object: `user ${username}` };
    const users = await this.#rest.get<{ id: string; username: string }[]>(`/users?exact=true&briefRepresentation=true&username=${encodeURIComponent(username)}`, target);
    const user = users.find((u) => u.username === username.toLowerCase());
    if (!user) return undefined;
    const groups = await this.#rest.list<{ path: string }>(urlPath`/users/${user.id}/groups` + '?briefRepresentation=true', target);
    return { homeCloud: this.cloud, homeSub: user.id, homeUsername: user.username, groups: groups.map((g) => g.path).sort(), attributes: {} };
  }

  close(): Promise<void> {
    return this.#close();
  }
}

export async function createKeycloakHomeDirectory(cloud: CloudSpec, baseDir: string): Promise<KeycloakHomeDirectory> {
  const http = await keycloakHttpOut(cloud, baseDir);
  const baseUrl = cloud.keycloak.url.replace(/\/+$/, '');
  const tokens = new AdminTokenSource({ cloud: cloud.alias, baseUrl, adminRealm: cloud.keycloak.admin.realm,
    credentials: await keycloakAdminCredentials(cloud, baseDir), fetch: http.fetch });
  const rest = new KeycloakRest({ cloud: cloud.alias, baseUrl, tokens, fetch: http.fetch });
  return new KeycloakHomeDirectory({ cloud: cloud.alias, realm: cloud.keycloak.realm, rest, close: () => http.close() });
}
