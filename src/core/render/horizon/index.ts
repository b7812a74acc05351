// What a cloud's Horizon and its Keystone's Apache need from the federation for WebSSO (pure):
// - Horizon's settings: the federated login as the default (Keystone's identity provider of this
//   cloud's realm, protocol `openid`), and a Sign Out that ends the session in this cloud's realm
//   (RP-initiated logout, so the realm records a LOGOUT that the broker takes to every other realm
//   and Keystone);
// - Apache's mod_auth_openidc directives for Keystone's WebSSO routes: code flow with PKCE at this
//   cloud's realm with the client Keystone accepts tokens for (public), and the route opened only for
//   this cloud's identity provider. The crypto passphrase is an Apache variable, never a value.
import { BrokerError } from '../../errors.ts';
import type { CloudSpec, FederationSpec } from '../../federation/schema.ts';
import { trustEdges } from '../../federation/trust.ts';

/** Keystone's federation protocol the broker configures (OS-FEDERATION protocol id). */
export const WEBSSO_PROTOCOL = 'openid';
/** The Apache variable that holds mod_auth_openidc's crypto passphrase (set in Apache's environment). */
export const CRYPTO_PASSPHRASE_VARIABLE = 'FEDBROKER_OIDC_CRYPTO_PASSPHRASE';

interface WebSso { readonly keystoneUrl: string; readonly issuer: string; readonly clientId: string; readonly identityProvider: string; readonly dashboard: string }

function webSsoOf(cloud: CloudSpec): WebSso {
  const keystone = cloud.keystone;
  const dashboard = keystone?.dashboard?.url;
  if (!keystone || dashboard === undefined) {
    throw new BrokerError('ERR_USAGE', `cloud ${cloud.alias} names no Horizon: set clouds[].keystone.dashboard.url in the spec`, { details: { cloud: cloud.alias } });
  }
  return {
    keystoneUrl: keystone.url.replace(/\/+$/, ''), issuer: `${cloud.keycloak.url.replace(/\/+$/, '')}/realms/${cloud.keycloak.realm}`,
    clientId: keystone.audience, identityProvider: keystone.identityProvider, dashboard: dashboard.replace(/\/+$/, ''),
  };
}

const python = (value: string) => JSON.stringify(value);

/** A Python settings snippet for Horizon (local_settings.d), for cloud `alias`. */
export function renderHorizonSettings(spec: FederationSpec, alias: string): string {
  const cloud = cloudOf(spec, alias);
  const w = webSsoOf(cloud);
  const homes = trustEdges(spec).filter((e) => e.partner === cloud.alias).map((e) => spec.clouds.find((c) => c.alias === e.home)?.displayName ?? e.home);
  const label = `Federated login${homes.length > 0 ? ` (${[cloud.displayName, ...homes].join(', ')})` : ''}`;
  const logout = `${w.issuer}/protocol/openid-connect/logout?client_id=${encodeURIComponent(w.clientId)}&post_logout_redirect_uri=${encodeURIComponent(`${w.dashboard}/auth/login/`)}`;
  return [
    `# Horizon WebSSO of cloud ${cloud.alias}, rendered by fedbroker from federation ${spec.metadata.name}.`,
    '# Everyone goes straight to the federated login; Sign Out ends the session in the cloud\'s realm,',
    '# and the broker ends it everywhere else.',
    `OPENSTACK_KEYSTONE_URL = ${python(`${w.keystoneUrl}/v3`)}`,
    'WEBSSO_ENABLED = True',
    `WEBSSO_CHOICES = ((${python(WEBSSO_PROTOCOL)}, ${python(label)}), ("credentials", "Keystone credentials"))`,
    `WEBSSO_IDP_MAPPING = {${python(WEBSSO_PROTOCOL)}: (${python(w.identityProvider)}, ${python(WEBSSO_PROTOCOL)})}`,
    `WEBSSO_INITIAL_CHOICE = ${python(WEBSSO_PROTOCOL)}`,
    'WEBSSO_DEFAULT_REDIRECT = True',
    `WEBSSO_DEFAULT_REDIRECT_PROTOCOL = ${python(WEBSSO_PROTOCOL)}`,
    `WEBSSO_DEFAULT_REDIRECT_REGION = ${python(`${w.keystoneUrl}/v3`)}`,
    `WEBSSO_DEFAULT_REDIRECT_LOGOUT = ${python(logout)}`,
    '',
  ].join('\n');
}

/** mod_auth_openidc directives for Keystone's WebSSO routes (inside Keystone's VirtualHost), for cloud `alias`. */
export function renderKeystoneApacheWebSso(spec: FederationSpec, alias: string): string {
  const w = webSsoOf(cloudOf(spec, alias));
  const idp = w.identityProvider.replace(/[^A-Za-z0-9_-]/g, '');
  const redirectPath = `/v3/auth/OS-FEDERATION/websso/${WEBSSO_PROTOCOL}/redirect`;
  return [
    `# Keystone WebSSO of cloud ${alias} (mod_auth_openidc), rendered by fedbroker from federation ${spec.metadata.name}.`,
    `# Needs Apache's environment variable ${CRYPTO_PASSPHRASE_VARIABLE}; Keystone's [federation] trusted_dashboard = ${w.dashboard}/auth/websso/`,
    `OIDCProviderMetadataURL "${w.issuer}/.well-known/openid-configuration"`,
    `OIDCClientID "${w.clientId}"`,
    'OIDCProviderTokenEndpointAuth none',
    'OIDCPKCEMethod S256',
    'OIDCScope "openid email profile"',
    `OIDCRedirectURI "${w.keystoneUrl}${redirectPath}"`,
    `OIDCCryptoPassphrase "\${${CRYPTO_PASSPHRASE_VARIABLE}}"`,
    'OIDCSSLValidateServer On',
    `<LocationMatch "^/v3/auth/OS-FEDERATION/(websso/${WEBSSO_PROTOCOL}|identity_providers/${idp}/protocols/${WEBSSO_PROTOCOL}/websso)">`,
    '  AuthType openid-connect',
    '  Require valid-user',
    '</LocationMatch>',
    '# mod_auth_openidc answers its redirect URI itself (code exchange, back-channel logout): never pass it to',
    '# Keystone. Place this before Keystone\'s own ProxyPass "/" (otherwise every back-channel logout waits for',
    '# Keystone\'s error answer, seconds with one uwsgi process, and the realm\'s logout with it).',
    `ProxyPass "${redirectPath}" !`,
    '',
  ].join('\n');
}

function cloudOf(spec: FederationSpec, alias: string): CloudSpec {
  const cloud = spec.clouds.find((c) => c.alias === alias);
  if (!cloud) throw new BrokerError('ERR_USAGE', `the spec has no cloud ${alias} (clouds: ${spec.clouds.map((c) => c.alias).join(', ')})`, { details: { cloud: alias } });
  return cloud;
}
