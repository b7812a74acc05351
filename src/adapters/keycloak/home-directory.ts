// A home realm's users and their group paths (HomeDirectoryPort), read through the admin API.
import type { SubjectProfile } from '../../core/subject.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import type { HomeDirectoryPort } from '../../ports.ts';
import { createKeycloakClient, type KeycloakClient } from './client.ts';
import { urlPath, type KeycloakRest } from './rest.ts';

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

/** The home directory of a cloud's realm over `client` (default: the cloud's Keycloak client of its own). */
export async function createKeycloakHomeDirectory(cloud: CloudSpec, baseDir: string, client?: KeycloakClient): Promise<KeycloakHomeDirectory> {
  const over = client ?? await createKeycloakClient(cloud, baseDir);
  return new KeycloakHomeDirectory({ cloud: cloud.alias, realm: cloud.keycloak.realm, rest: over.rest, ...(!client && { close: () => over.close() }) });
}
