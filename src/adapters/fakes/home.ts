// In-memory fakes of what a home cloud offers: its realm's users with their groups
// (HomeDirectoryPort) and its published identity-provider metadata (HomeMetadataPort), with the
// semantics the contract suites (test/contract/home-ports.contract.ts) check on the real adapters.
// `down` makes a fake refuse every call (outage tests).
import { BrokerError } from '../../core/errors.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import { realmUrl } from '../../core/federation/realm-url.ts';
import type { HomeMetadata } from '../../core/render/keycloak/metadata.ts';
import type { SubjectProfile } from '../../core/subject.ts';
import type { HomeUser } from '../../core/sync/model.ts';
import type { HomeAdminEvent } from '../../core/sync/admin-events.ts';
import type { HomeAdminEventsPort, HomeDirectoryPort, HomeMetadataPort } from '../../ports.ts';

function unreachable(cloud: string): BrokerError {
  return new BrokerError('ERR_HTTP_UNREACHABLE', `Keycloak of cloud ${cloud} is down (fake)`, { details: { cloud } });
}

export class FakeHomeDirectory implements HomeDirectoryPort {
  readonly cloud: string;
  down = false;
  /** `users` fails after reading this many pages of `pageSize` users (a page that fails half-way). */
  failAfterPages: number | undefined;
  pageSize = 200;
  /** Keycloak keeps usernames in lower case. */
  readonly #groupsByUser = new Map<string, readonly string[]>();
  readonly #details = new Map<string, { enabled: boolean; attributes: Record<string, string[]> }>();

  constructor(cloud: string) {
    this.cloud = cloud;
  }

  /** A user of the home realm with full group paths (`/projects/p1/members`). */
  addUser(username: string, groups: readonly string[] = [], options: { enabled?: boolean; attributes?: Record<string, string[]> } = {}): void {
    this.#groupsByUser.set(username.toLowerCase(), [...groups]);
    this.#details.set(username.toLowerCase(), { enabled: options.enabled ?? true, attributes: options.attributes ?? {} });
  }

  removeUser(username: string): void {
    this.#groupsByUser.delete(username.toLowerCase());
    this.#details.delete(username.toLowerCase());
  }

  async users(groupPaths: readonly string[]): Promise<HomeUser[]> {
    if (this.down) throw unreachable(this.cloud);
    const names = [...this.#groupsByUser.keys()].sort();
    if (this.failAfterPages !== undefined && names.length > this.failAfterPages * this.pageSize) {
      throw new BrokerError('ERR_HTTP_UNREACHABLE', `page ${this.failAfterPages + 1} of the users of cloud ${this.cloud} failed (fake)`, { details: { cloud: this.cloud } });
    }
    return names.flatMap((name) => {
      const details = this.#details.get(name) ?? { enabled: true, attributes: {} };
      if (details.attributes['home_cloud']?.length) return [];
      const groups = (this.#groupsByUser.get(name) ?? []).filter((g) => groupPaths.includes(g)).sort();
      return [{ homeSub: `${this.cloud}-${name}-id`, homeUsername: name, enabled: details.enabled, groups, attributes: details.attributes }];
    });
  }

  async usersByIds(groupPaths: readonly string[], ids: readonly string[]): Promise<HomeUser[]> {
    if (this.down) throw unreachable(this.cloud);
    const wanted = new Set(ids);
    const all = await this.users(groupPaths);
    return all.filter((u) => wanted.has(u.homeSub));
  }

  async subject(username: string): Promise<SubjectProfile | undefined> {
    if (this.down) throw unreachable(this.cloud);
    const name = username.toLowerCase();
    const groups = this.#groupsByUser.get(name);
    return groups && { homeCloud: this.cloud, homeSub: `${this.cloud}-${name}-id`, homeUsername: name, groups: [...groups].sort(), attributes: {} };
  }
}

/** A fake SAML signing certificate (base64 DER shape; not parsed by the broker). */
export const FAKE_SAML_CERTIFICATE = 'MIIFakeCertificateOfTheHomeRealm';

/**
 * Serves the metadata of the realms it was told exist, under the URLs Keycloak uses; any other realm
 * is ERR_KEYCLOAK_REALM_NOT_FOUND, like the real reader's 404.
 */
export class FakeHomeMetadata implements HomeMetadataPort {
  down = false;
  readonly reads: string[] = [];
  readonly #realms = new Set<string>();

  /** Publishes the realm `realm` at the Keycloak `keycloakUrl`. */
  addRealm(keycloakUrl: string, realm: string): void {
    this.#realms.add(realmUrl(keycloakUrl, realm));
  }

  async read(cloud: CloudSpec): Promise<HomeMetadata> {
    this.reads.push(cloud.alias);
    if (this.down) throw unreachable(cloud.alias);
    const realm = realmUrl(cloud.keycloak.url, cloud.keycloak.realm);
    if (!this.#realms.has(realm)) {
      throw new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${cloud.keycloak.realm}" of cloud ${cloud.alias} does not exist at ${cloud.keycloak.url} (fake)`,
        { details: { cloud: cloud.alias, realm: cloud.keycloak.realm, status: 404 } });
    }
    if (cloud.homeProtocol === 'saml') {
      return { protocol: 'saml', entityId: realm, singleSignOnServiceUrl: `${realm}/protocol/saml`, singleLogoutServiceUrl: `${realm}/protocol/saml`, signingCertificates: [FAKE_SAML_CERTIFICATE] };
    }
    const oidc = `${realm}/protocol/openid-connect`;
    return { protocol: 'oidc', issuer: realm, authorizationEndpoint: `${oidc}/auth`, tokenEndpoint: `${oidc}/token`, jwksUri: `${oidc}/certs`,
      userinfoEndpoint: `${oidc}/userinfo`, endSessionEndpoint: `${oidc}/logout` };
  }
}

/** A home realm's admin events (HomeAdminEventsPort): tests record them; `down` fails every read. */
export class FakeHomeAdminEvents implements HomeAdminEventsPort {
  readonly cloud: string;
  down = false;
  /** The user id the broker's own writes carry. */
  brokerUserId = 'broker-service-account';
  readonly events: HomeAdminEvent[] = [];
  #next = 0;

  constructor(cloud: string) {
    this.cloud = cloud;
  }

  /** Records an event at `time` (ms); by the broker when `byBroker`. */
  record(time: number, operationType: string, resourceType: string, resourcePath: string, byBroker = false): HomeAdminEvent {
    const event = { id: `ev${++this.#next}`, time, operationType, resourceType, resourcePath, authUserId: byBroker ? this.brokerUserId : 'someone-at-home' };
    this.events.push(event);
    return event;
  }

  async adminEvents(_realm: string, sinceMs: number, first: number, max: number): Promise<HomeAdminEvent[]> {
    if (this.down) throw unreachable(this.cloud);
    return this.events.filter((e) => e.time >= sinceMs).sort((a, b) => a.time - b.time).slice(first, first + max);
  }

  async ownAdminUserId(): Promise<string | undefined> {
    return this.brokerUserId;
  }
}
