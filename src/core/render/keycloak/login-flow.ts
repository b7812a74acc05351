// No chained brokering (docs/design.md §2, decision 0006): a user may leave a home realm through the broker's
// home clients only when they are LOCAL to it. A user who is a brokered guest there carries the
// `home_cloud` attribute (stamped by the broker's hard-coded mapper, admin-only), so:
//   - every home client sends that attribute upstream as `upstream_home_cloud` (home-client.ts);
//   - every identity provider of the broker imports it (FORCE) and runs the post-broker-login flow below
//     after each login, which DENIES the login when it is set (the guarantee, on every path);
//   - in a realm that is both partner and home, the same flow also denies a brokered login whose client
//     is one of the realm's home clients (marked with the scope `fedbroker-home-client`), so the usual
//     chained attempt is refused before the next realm creates anything;
//   - the providers' first login flow is Keycloak's default minus account linking: a brokered identity
//     always becomes a new user `<home>.<username>` (docs/design.md §2), and one that meets an existing account
//     (same user name or e-mail) is refused instead of being linked to it. Linking would let a refused
//     chained identity rewrite the linked user's attributes (home_cloud!) on every further attempt,
//     because Keycloak runs the FORCE mappers before the post-broker-login flow.
// The flow is a top-level basic flow; its executions are a tree in the shape the adapter observes:
//   { name, index, requirement, authenticator, config? }             an authenticator (name = provider id)
//   { name, index, requirement, description, executions: [...] }    a sub-flow (name = its realm-wide alias)
import type { JsonValue } from '../../json.ts';
import { managedMarkers, managedMarkersText } from '../../managed.ts';
import type { CloudSpec, FederationSpec } from '../../federation/schema.ts';
import type { KeycloakObject } from './model.ts';
import { FIRST_BROKER_FLOW, HOME_CLIENT_SCOPE, POST_BROKER_FLOW, UPSTREAM_HOME_CLOUD_ATTRIBUTE } from './names.ts';

/** Shown by Keycloak's "Deny access" on its error page (literal text; no apostrophes: Keycloak formats it with MessageFormat). */
export const CHAINED_ARRIVAL_MESSAGE = 'Login refused: this account is a guest account in the cloud you chose, not a user of that cloud. Choose your own home cloud on the first login page.';
export const HOME_CLIENT_EXIT_MESSAGE = 'Login refused: a guest account of this cloud cannot be used to log into another cloud. Choose your own home cloud on the first login page.';
export const EXISTING_ACCOUNT_MESSAGE = 'Login refused: an account with the same user name or e-mail address exists in this cloud already, and federated logins are never linked to existing accounts. Ask the administrators of this cloud.';

type Execution = { readonly [key: string]: JsonValue };

const authenticator = (index: number, provider: string, config?: Record<string, string>): Execution =>
  ({ name: provider, index, requirement: 'REQUIRED', authenticator: provider, ...(config && { config }) });

const subFlow = (index: number, alias: string, description: string, executions: Execution[], requirement = 'CONDITIONAL'): Execution =>
  ({ name: alias, index, requirement, description, executions });

const flow = (spec: FederationSpec, partner: CloudSpec, alias: string, purpose: string, executions: Execution[]): KeycloakObject => ({
  system: 'keycloak', cloud: partner.alias, scope: partner.keycloak.realm, kind: 'authenticationFlow', name: alias,
  fields: { alias, description: `${purpose} ${managedMarkersText(spec.metadata.name)}`, providerId: 'basic-flow', topLevel: true, builtIn: false, executions },
});

/** The first login flow of the broker's identity providers in partner realm P. */
export function renderFirstBrokerLoginFlow(spec: FederationSpec, partner: CloudSpec): KeycloakObject {
  return flow(spec, partner, FIRST_BROKER_FLOW, 'First federation login: create the user, never link', [
    authenticator(0, 'idp-review-profile', { 'update.profile.on.first.login': 'missing' }),
    subFlow(1, `${FIRST_BROKER_FLOW}-create-user`, 'Create the brokered user, or refuse when the account exists', [
      { ...authenticator(0, 'idp-create-user-if-unique', { 'require.password.update.after.registration': 'false' }), requirement: 'ALTERNATIVE' },
      subFlow(1, `${FIRST_BROKER_FLOW}-existing-account`, 'An account with the same user name or e-mail exists: refuse, never link', [
        authenticator(0, 'deny-access-authenticator', { denyErrorMessage: EXISTING_ACCOUNT_MESSAGE }),
      ], 'ALTERNATIVE'),
    ], 'REQUIRED'),
  ]);
}

/** The post-broker-login flow of partner realm P; `alsoHome`: P has home clients of its own to guard. */
export function renderPostBrokerLoginFlow(spec: FederationSpec, partner: CloudSpec, alsoHome: boolean): KeycloakObject {
  const denyChained = subFlow(0, `${POST_BROKER_FLOW}-deny-chained-arrival`,
    'Deny users whose home realm vouches for them although they are brokered guests there', [
      authenticator(0, 'conditional-user-attribute', {
        attribute_name: UPSTREAM_HOME_CLOUD_ATTRIBUTE, attribute_expected_value: '.+', regex: 'true', not: 'false', include_group_attributes: 'false',
      }),
      authenticator(1, 'deny-access-authenticator', { denyErrorMessage: CHAINED_ARRIVAL_MESSAGE }),
    ]);
  const denyHomeClient = subFlow(1, `${POST_BROKER_FLOW}-deny-home-client`,
    'Deny brokered guests of this realm the way out to other clouds through its home clients', [
      authenticator(0, 'conditional-client-scope', { client_scope: HOME_CLIENT_SCOPE, negate: 'false' }),
      authenticator(1, 'deny-access-authenticator', { denyErrorMessage: HOME_CLIENT_EXIT_MESSAGE }),
    ]);
  // Keycloak fails a flow in which nothing ran (only skipped conditional sub-flows): "Allow access" ends it.
  const executions = alsoHome
    ? [denyChained, denyHomeClient, authenticator(2, 'allow-access-authenticator')]
    : [denyChained, authenticator(1, 'allow-access-authenticator')];
  return flow(spec, partner, POST_BROKER_FLOW, 'Every federation login: refuse chained logins', executions);
}

/** The scope that marks the home clients of a realm that is also a partner; no mappers, never in tokens. */
export function renderHomeClientScope(spec: FederationSpec, home: CloudSpec): KeycloakObject {
  const saml = home.homeProtocol === 'saml';
  return {
    system: 'keycloak', cloud: home.alias, scope: home.keycloak.realm, kind: 'clientScope', name: HOME_CLIENT_SCOPE,
    fields: {
      name: HOME_CLIENT_SCOPE, protocol: saml ? 'saml' : 'openid-connect',
      description: 'Marks the home clients of the federation broker: brokered guests of this realm may not use them',
      attributes: { ...managedMarkers(spec.metadata.name), 'display.on.consent.screen': 'false', ...(!saml && { 'include.in.token.scope': 'false' }) },
      protocolMappers: [],
    },
  };
}

/** The marker scope attached as default scope to one home client (by clientId). */
export function renderHomeClientScopeLink(home: CloudSpec, clientId: string): KeycloakObject {
  return {
    system: 'keycloak', cloud: home.alias, scope: home.keycloak.realm, kind: 'clientDefaultScope', name: `${clientId}/${HOME_CLIENT_SCOPE}`,
    fields: { clientId, clientScope: HOME_CLIENT_SCOPE },
  };
}
