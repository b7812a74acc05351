// In-memory KeycloakSecretRotationPort of one cloud: clients with a current and a previous secret,
// identity providers with the secret they send, the broker's policy per realm. `accepts` answers what
// Keycloak's client authentication would; `failAfter` makes a step throw, as a killed run would stop.
import { BrokerError } from '../../core/errors.ts';
import type { KeycloakSecretRotationPort } from '../../ports.ts';

interface FakeClient { managed: boolean; secret: string; previous?: string }
interface FakeProvider { managed: boolean; secret: string }

export class FakeKeycloakSecretRotation implements KeycloakSecretRotationPort {
  featureEnabled = true;
  readonly clients = new Map<string, FakeClient>();
  readonly providers = new Map<string, FakeProvider>();
  readonly policies = new Map<string, number>();
  /** Every call that changed something, in order: "regenerate realm/client", ... */
  readonly writes: string[] = [];
  /** Throw before this write (e.g. "end-grace cloud-a/fed-cloud-b"), once. */
  failBefore: string | undefined;
  #counter = 0;

  constructor(readonly cloud: string) {}

  addClient(realm: string, clientId: string, secret: string, managed = true): void {
    this.clients.set(`${realm}/${clientId}`, { managed, secret });
  }

  addProvider(realm: string, alias: string, secret: string, managed = true): void {
    this.providers.set(`${realm}/${alias}`, { managed, secret });
  }

  accepts(realm: string, clientId: string, secret: string): boolean {
    const client = this.clients.get(`${realm}/${clientId}`);
    return client !== undefined && (client.secret === secret || client.previous === secret);
  }

  async secretRotationAvailable(): Promise<boolean> {
    return this.featureEnabled;
  }

  async ensureRotationPolicy(realm: string, graceSeconds: number): Promise<boolean> {
    if (this.policies.get(realm) === graceSeconds) return false;
    this.#write(`policy ${realm}`);
    this.policies.set(realm, graceSeconds);
    return true;
  }

  async observeClient(realm: string, clientId: string): Promise<{ managed: boolean; previousSecretHeld: boolean }> {
    const client = this.#client(realm, clientId);
    return { managed: client.managed, previousSecretHeld: client.previous !== undefined };
  }

  async regenerateSecret(realm: string, clientId: string): Promise<string> {
    const client = this.#client(realm, clientId);
    this.#write(`regenerate ${realm}/${clientId}`);
    if (this.policies.has(realm)) client.previous = client.secret;
    client.secret = `${this.cloud}-${clientId}-secret-${++this.#counter}`;
    return client.secret;
  }

  async currentSecret(realm: string, clientId: string): Promise<string> {
    return this.#client(realm, clientId).secret;
  }

  async writeIdentityProviderSecret(realm: string, alias: string, _federation: string, secret: string): Promise<void> {
    const provider = this.providers.get(`${realm}/${alias}`);
    if (!provider) throw new BrokerError('ERR_NOT_FOUND', `no identity provider ${alias} in ${realm}`);
    if (!provider.managed) throw new BrokerError('ERR_KEYCLOAK_NOT_MANAGED', `identity provider ${alias} in ${realm} is not the broker's`);
    this.#write(`write-partner-secret ${realm}/${alias}`);
    provider.secret = secret;
  }

  async endGrace(realm: string, clientId: string): Promise<void> {
    const client = this.#client(realm, clientId);
    this.#write(`end-grace ${realm}/${clientId}`);
    delete client.previous;
  }

  #client(realm: string, clientId: string): FakeClient {
    const client = this.clients.get(`${realm}/${clientId}`);
    if (!client) throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `no client ${clientId} in ${realm}`);
    return client;
  }

  #write(what: string): void {
    if (this.failBefore === what) {
      this.failBefore = undefined;
      throw new BrokerError('ERR_HTTP_UNREACHABLE', `stopped before ${what}`);
    }
    this.writes.push(what);
  }
}
