// One Keycloak client per cloud: the admin, sessions and home-directory adapters built over the same
// client share its admin token (one grant for all of them, one renewal after a 401), and the
// factories build them over a shared client when given one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeycloakAdmin } from '../../src/adapters/keycloak/admin.ts';
import { keycloakRest, type KeycloakClient } from '../../src/adapters/keycloak/client.ts';
import { createKeycloakAdmin } from '../../src/adapters/keycloak/factory.ts';
import { createKeycloakHomeDirectory, KeycloakHomeDirectory } from '../../src/adapters/keycloak/home-directory.ts';
import { createKeycloakSessions } from '../../src/adapters/keycloak/sessions-factory.ts';
import { KeycloakSessions } from '../../src/adapters/keycloak/sessions.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';

/** A scripted Keycloak: token grants answer token-<n>; admin calls answer per `reply` (default: []). */
function keycloak(reply: (path: string, token: string) => { status: number; body?: unknown } = () => ({ status: 200, body: [] })) {
  let grants = 0;
  const tokensUsed: string[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.pathname.endsWith('/protocol/openid-connect/token')) {
      grants += 1;
      return Response.json({ access_token: `token-${grants}`, token_type: 'Bearer', expires_in: 300 });
    }
    const token = (new Headers(init.headers).get('authorization') ?? '').replace(/^Bearer /, '');
    tokensUsed.push(token);
    const r = reply(url.pathname, token);
    return r.body === undefined ? new Response(null, { status: r.status }) : Response.json(r.body, { status: r.status });
  };
  const rest = keycloakRest({ cloud: 'cloud-a', baseUrl: 'https://keycloak.example', adminRealm: 'master', fetch,
    credentials: { grant: 'password', clientId: 'admin-cli', username: 'admin', password: 'pw' } });
  return { rest, grants: () => grants, tokensUsed };
}

describe('one Keycloak client per cloud', () => {
  it('admin, sessions and home directory over one client make one token grant between them', async () => {
    const kc = keycloak((path) => ({ status: 200, body: path.endsWith('/realms/cloud-a') ? { realm: 'cloud-a' } : [] }));
    const admin = new KeycloakAdmin({ rest: kc.rest });
    const sessions = new KeycloakSessions({ rest: kc.rest });
    const directory = new KeycloakHomeDirectory({ cloud: 'cloud-a', realm: 'cloud-a', rest: kc.rest });
    await Promise.all([admin.realmExists('cloud-a'), sessions.sessions('cloud-a', 'u1'), directory.subject('alice')]);
    assert.equal(kc.grants(), 1);
    assert.ok(kc.tokensUsed.every((t) => t === 'token-1'));
    assert.equal(admin.cloud, 'cloud-a');
    assert.equal(sessions.cloud, 'cloud-a');
  });

  it('a 401 renews the shared token once, for every adapter', async () => {
    const kc = keycloak((_path, token) => (token === 'token-1' ? { status: 401 } : { status: 200, body: [] }));
    const sessions = new KeycloakSessions({ rest: kc.rest });
    const directory = new KeycloakHomeDirectory({ cloud: 'cloud-a', realm: 'cloud-a', rest: kc.rest });
    await sessions.sessions('cloud-a', 'u1');
    await directory.subject('alice');
    assert.equal(kc.grants(), 2);
  });

  it('the factories build the adapters over a client they are given, and leave closing it to its owner', async () => {
    const kc = keycloak();
    let closed = 0;
    const client: KeycloakClient = { cloud: 'cloud-a', rest: kc.rest, fetch: async () => new Response(null), warmUp: async () => {}, close: async () => { closed += 1; } };
    const cloud = exampleSpec().clouds[0] as CloudSpec;
    const admin = await createKeycloakAdmin(cloud, '/nowhere', client);
    const sessions = await createKeycloakSessions(cloud, '/nowhere', client);
    const directory = await createKeycloakHomeDirectory(cloud, '/nowhere', client);
    await sessions.sessions('cloud-a', 'u1');
    await directory.subject('alice');
    assert.equal(kc.grants(), 1);
    for (const a of [admin, sessions, directory]) await a.close();
    assert.equal(closed, 0);
  });
});
