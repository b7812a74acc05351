// The Keycloak calls logout needs (KeycloakSessionsPort): users by id / name / home subject with
// their identity-provider links, a user's sessions, logging a user out, and the realm's LOGOUT
// events. Same REST client and admin token as the admin adapter (./rest.ts, ./admin-token.ts).
import type { RealmSession } from '../../core/logout/stale.ts';
import type { RealmUser, UserLookup } from '../../core/logout/subject.ts';
import { HOME_SUBJECT_ATTRIBUTE } from '../../core/render/keycloak/names.ts';
import type { KeycloakSessionsPort, RealmLogoutEvent } from '../../ports.ts';
import type { AdminTokenOptions } from './admin-token.ts';
import { keycloakRest } from './client.ts';
import { urlPath, type KeycloakRest } from './rest.ts';

/** The cloud's shared Keycloak REST client (./client.ts), or the admin token's options to build one; plus `close`. */
export type KeycloakSessionsOptions = ({ readonly rest: KeycloakRest } | AdminTokenOptions) & { readonly close?: () => Promise<void>; readonly warmUp?: () => Promise<void> };

interface UserRep { id: string; username: string; attributes?: Record<string, string[]> }
interface LinkRep { identityProvider: string; userId: string; userName: string }
interface EventRep { id?: string; time: number; userId?: string; sessionId?: string; type: string }

export class KeycloakSessions implements KeycloakSessionsPort {
  readonly cloud: string;
  readonly #rest: KeycloakRest;
  readonly #close: (() => Promise<void>) | undefined;
  readonly #warmUp: (() => Promise<void>) | undefined;

  constructor(options: KeycloakSessionsOptions) {
    this.#rest = 'rest' in options ? options.rest : keycloakRest(options);
    this.cloud = this.#rest.cloud;
    this.#close = options.close;
    this.#warmUp = options.warmUp;
  }

  async warmUp(): Promise<void> {
    await this.#warmUp?.();
  }

  async userById(realm: string, id: string): Promise<RealmUser | undefined> {
    const user = await this.#rest.find<UserRep>(urlPath`/users/${id}`, { realm, object: `user ${id}` });
    return user ? this.#withLinks(realm, user) : undefined;
  }

  async findUsers(realm: string, lookup: UserLookup): Promise<RealmUser[]> {
    const target = { realm, object: 'users' };
    let users: UserRep[];
    if (lookup.by === 'id') {
      const one = await this.userById(realm, lookup.id);
      return one ? [one] : [];
    } else if (lookup.by === 'username') {
      users = await this.#rest.get<UserRep[]>(`/users?exact=true&briefRepresentation=false&username=${encodeURIComponent(lookup.username)}`, target);
    } else {
      // By the identity-provider link (OIDC: the link's user id is the home sub) and by the home_sub attribute (SAML).
      const [byLink, byAttribute] = await Promise.all([
        this.#rest.get<UserRep[]>(`/users?briefRepresentation=false&idpAlias=${encodeURIComponent(lookup.identityProvider)}&idpUserId=${encodeURIComponent(lookup.homeSub)}`, target),
        this.#rest.get<UserRep[]>(`/users?briefRepresentation=false&q=${encodeURIComponent(`${HOME_SUBJECT_ATTRIBUTE}:${lookup.homeSub}`)}`, target),
      ]);
      users = [...new Map([...byLink, ...byAttribute].map((u) => [u.id, u])).values()];
    }
    return Promise.all(users.map((u) => this.#withLinks(realm, u)));
  }

  async sessions(realm: string, userId: string): Promise<RealmSession[]> {
    // UserSessionRepresentation: `start` in ms (Keycloak keeps whole seconds).
    const sessions = await this.#rest.find<{ id: string; start: number }[]>(urlPath`/users/${userId}/sessions`, { realm, object: `sessions of user ${userId}` });
    return (sessions ?? []).map((s) => ({ id: s.id, startedAt: s.start }));
  }

  async endSession(realm: string, sessionId: string): Promise<void> {
    await this.#rest.realm(urlPath`/sessions/${sessionId}`, { realm, method: 'DELETE', object: `session ${sessionId}`, allowNotFound: true });
  }

  async logoutUser(realm: string, userId: string): Promise<void> {
    await this.#rest.realm(urlPath`/users/${userId}/logout`, { realm, method: 'POST', object: `user ${userId}`, allowNotFound: true });
  }

  async setLogoutHandover(realm: string, identityProvider: string, enabled: boolean): Promise<void> {
    const object = `identity provider ${identityProvider}`;
    const path = urlPath`/identity-provider/instances/${identityProvider}`;
    const idp = await this.#rest.get<{ config?: Record<string, string> }>(path, { realm, object });
    if ((idp.config?.['backchannelSupported'] === 'true') === enabled) return;
    // The whole representation goes back; Keycloak keeps the stored client secret for its mask.
    await this.#rest.realm(path, { realm, object, method: 'PUT', body: { ...idp, config: { ...idp.config, backchannelSupported: String(enabled) } } });
  }

  async logoutEvents(realm: string, sinceMs: number, first: number, max: number): Promise<RealmLogoutEvent[]> {
    const events = await this.#rest.get<EventRep[]>(`/events?type=LOGOUT&direction=asc&dateFrom=${Math.floor(sinceMs)}&first=${first}&max=${max}`, { realm, object: 'events' });
    return events.filter((e) => e.type === 'LOGOUT' && e.userId && e.id).map((e) => ({
      id: e.id as string, time: e.time, userId: e.userId as string, ...(e.sessionId && { sessionId: e.sessionId }),
    }));
  }

  async close(): Promise<void> {
    await this.#close?.();
  }

  async #withLinks(realm: string, user: UserRep): Promise<RealmUser> {
    const links = await this.#rest.find<LinkRep[]>(urlPath`/users/${user.id}/federated-identity`, { realm, object: `links of user ${user.username}` });
    return { id: user.id, username: user.username, attributes: user.attributes ?? {}, federatedIdentities: (links ?? []).map((l) => ({ identityProvider: l.identityProvider, userId: l.userId, userName: l.userName })) };
  }
}
