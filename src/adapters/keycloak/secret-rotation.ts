// Client secret rotation in one cloud's Keycloak (KeycloakSecretRotationPort), over the cloud's admin
// REST client. The broker's client profile and policy are entries of the realm's lists, which PUT
// replaces as a whole: read, replace only the broker's entry by name, write back.
// Secrets pass through as return values and request bodies only; errors never carry them.
import { BrokerError } from '../../core/errors.ts';
import { isManaged } from '../../core/managed.ts';
import { desiredRotationPolicy, withOwnedEntry, type ClientPolicy, type ClientPolicyProfile } from '../../core/rotation/secret-rotation.ts';
import type { KeycloakSecretRotationPort } from '../../ports.ts';
import { clientIdToId } from './kinds/mapper-owners.ts';
import { urlPath, type KeycloakRest } from './rest.ts';

type Json = Record<string, unknown>;

/** The feature as /admin/serverinfo names it. */
const ROTATION_FEATURE = 'CLIENT_SECRET_ROTATION';

export class KeycloakSecretRotation implements KeycloakSecretRotationPort {
  readonly #rest: KeycloakRest;

  constructor(rest: KeycloakRest) {
    this.#rest = rest;
  }

  async secretRotationAvailable(): Promise<boolean> {
    const info = (await this.#rest.admin('/serverinfo', { realm: this.#rest.adminRealm, object: 'server info' })).body as Json | undefined;
    const features = Array.isArray(info?.['features']) ? info['features'] as Json[] : [];
    return features.some((f) => f['name'] === ROTATION_FEATURE && f['enabled'] === true);
  }

  async ensureRotationPolicy(realm: string, graceSeconds: number): Promise<boolean> {
    const { profile, policy } = desiredRotationPolicy(graceSeconds);
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const target = { realm, object: 'client policies' };
    const profiles = await this.#rest.get<{ profiles?: ClientPolicyProfile[] }>('/client-policies/profiles', target);
    const newProfiles = withOwnedEntry(profiles?.profiles ?? [], profile, (a, b) => same(comparableProfile(a), comparableProfile(b)));
    if (newProfiles) await this.#rest.realm('/client-policies/profiles', { ...target, method: 'PUT', body: { ...profiles, profiles: newProfiles } });
    const policies = await this.#rest.get<{ policies?: ClientPolicy[] }>('/client-policies/policies', target);
    const newPolicies = withOwnedEntry(policies?.policies ?? [], policy, (a, b) => same(comparablePolicy(a), comparablePolicy(b)));
    if (newPolicies) await this.#rest.realm('/client-policies/policies', { ...target, method: 'PUT', body: { ...policies, policies: newPolicies } });
    return newProfiles !== undefined || newPolicies !== undefined;
  }

  async observeClient(realm: string, clientId: string, federation: string): Promise<{ managed: boolean; previousSecretHeld: boolean }> {
    const id = await this.#clientId(realm, clientId);
    const client = await this.#rest.get<Json>(urlPath`/clients/${id}`, { realm, object: `client "${clientId}"` });
    const managed = isManaged(client['attributes'] as Json | undefined, federation);
    const rotated = await this.#rest.realm(urlPath`/clients/${id}/client-secret/rotated`, { realm, object: `client "${clientId}"`, allowNotFound: true });
    return { managed, previousSecretHeld: rotated.status !== 404 && secretValue(rotated.body) !== undefined };
  }

  async regenerateSecret(realm: string, clientId: string): Promise<string> {
    const id = await this.#clientId(realm, clientId);
    const answer = await this.#rest.realm(urlPath`/clients/${id}/client-secret`, { realm, object: `client "${clientId}"`, method: 'POST' });
    return this.#required(secretValue(answer.body), realm, clientId);
  }

  async currentSecret(realm: string, clientId: string): Promise<string> {
    const id = await this.#clientId(realm, clientId);
    return this.#required(secretValue(await this.#rest.get(urlPath`/clients/${id}/client-secret`, { realm, object: `client "${clientId}"` })), realm, clientId);
  }

  async writeIdentityProviderSecret(realm: string, alias: string, federation: string, secret: string): Promise<void> {
    const target = { realm, object: `identity provider "${alias}"` };
    const path = urlPath`/identity-provider/instances/${alias}`;
    const provider = await this.#rest.get<Json>(path, target);
    const config = (provider['config'] ?? {}) as Json;
    if (!isManaged(config, federation)) {
      throw new BrokerError('ERR_KEYCLOAK_NOT_MANAGED', `identity provider "${alias}" in realm "${realm}" of cloud ${this.#rest.cloud} was not made by the broker; its secret is left alone`,
        { details: { cloud: this.#rest.cloud, realm, object: target.object } });
    }
    const { types: _types, ...rest } = provider;
    await this.#rest.realm(path, { ...target, method: 'PUT', body: { ...rest, config: { ...config, clientSecret: secret } } });
  }

  async endGrace(realm: string, clientId: string): Promise<void> {
    const id = await this.#clientId(realm, clientId);
    await this.#rest.realm(urlPath`/clients/${id}/client-secret/rotated`, { realm, object: `client "${clientId}"`, method: 'DELETE', allowNotFound: true });
  }

  async #clientId(realm: string, clientId: string): Promise<string> {
    const id = await clientIdToId(this.#rest, realm, clientId);
    if (id) return id;
    throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" does not exist in realm "${realm}" of cloud ${this.#rest.cloud}`,
      { details: { cloud: this.#rest.cloud, realm, object: `client "${clientId}"` } });
  }

  #required(secret: string | undefined, realm: string, clientId: string): string {
    if (secret !== undefined) return secret;
    throw new BrokerError('ERR_KEYCLOAK_API', `client "${clientId}" in realm "${realm}" of cloud ${this.#rest.cloud} has no secret (is it a public client?)`,
      { details: { cloud: this.#rest.cloud, realm, object: `client "${clientId}"` } });
  }
}

function secretValue(body: unknown): string | undefined {
  const value = (body as Json | undefined)?.['value'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What Keycloak stores of a profile (it may add defaults, so compare the broker's fields only). */
function comparableProfile(p: ClientPolicyProfile): unknown {
  return { executors: (p.executors ?? []).map((e) => ({ executor: e.executor, configuration: e.configuration })) };
}

function comparablePolicy(p: ClientPolicy): unknown {
  return { enabled: p.enabled, profiles: p.profiles, conditions: (p.conditions ?? []).map((c) => ({ condition: c.condition, configuration: c.configuration })) };
}
