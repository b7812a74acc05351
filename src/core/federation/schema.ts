// The federation spec (config/federation.yaml): its shape, as a zod schema.
// Shape only; cross-references and policy safety are checked in ./validate.ts.
import { z } from 'zod';
import { ipLiteralHost, isForbiddenAddress } from '../net-address.ts';
import { ALWAYS_PRIVILEGED_CLUSTER_ROLES, ALWAYS_PRIVILEGED_KEYSTONE_ROLES } from '../policy/safety.ts';

/** The spec version this broker writes (`fedbroker migrate`); ./versions.ts lists the versions it reads. */
export const API_VERSION = 'federation.scs.community/v1alpha2';

const dnsLabel = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
export const cloudAlias = z.string().regex(dnsLabel, {
  message: 'must be a lowercase DNS label (a-z, 0-9, "-", at most 32 characters, starting with a letter)',
});
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'must be letters, digits, "_", "." or "-"' });
const httpsUrl = z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).refine((url) => {
  const literal = ipLiteralHost(new URL(url).hostname);
  return literal === undefined || !isForbiddenAddress(literal);
}, { message: 'must not name a link-local, unspecified, shared-space, multicast or metadata address; use the server\'s real address or name' });
const emailDomain = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/, {
  message: 'must be a lowercase domain name such as "a.example"',
});
const groupPath = z.string().regex(/^\/[^/]+(\/[^/]+)*$/, { message: 'must be a full group path such as "/projects/p1/members"' });

/** A secret is never written into the spec: it is read from an environment variable or a file at use time. */
export const secretRef = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be an environment variable name' }) }),
  z.strictObject({ file: z.string().min(1) }),
], { message: 'must be a secret reference: { env: NAME } or { file: path }' });

const keycloakAdmin = z.union([
  z.strictObject({ realm: z.string().min(1).default('master'), clientId: z.string().min(1).default('admin-cli'), username: z.string().min(1), password: secretRef }),
  z.strictObject({ realm: z.string().min(1).default('master'), clientId: z.string().min(1), clientSecret: secretRef }),
], { message: 'must give either username + password or clientId + clientSecret (as secret references)' });

const keycloak = z.strictObject({
  url: httpsUrl,
  realm: z.string().min(1),
  caFile: z.string().min(1).optional(),
  admin: keycloakAdmin,
  /** Older Keycloak (before mid-2024) sends logout tokens typed `JWT` instead of `logout+jwt`. */
  insecureAcceptUntypedLogoutTokens: z.boolean().default(false),
});

const keystone = z.strictObject({
  url: httpsUrl,
  caFile: z.string().min(1).optional(),
  admin: z.strictObject({
  username: z.string().min(1),
    password: secretRef,
    userDomain: z.string().min(1).default('Default'),
    project: z.string().min(1).default('admin'),
    projectDomain: z.string().min(1).default('Default'),
  }),
  /** Name of the OS-FEDERATION identity provider for this cloud's realm. */
  identityProvider: name.default('keycloak'),
  /** Client id in this cloud's realm whose tokens Keystone accepts (pinned in every mapping rule). */
  audience: z.string().min(1).default('openstack'),
  /**
   * This cloud's Horizon, when its users sign in there through Keystone's WebSSO: `fedbroker render
   * horizon` and `render keystone-apache` print what it and Keystone's Apache need from the federation.
   */
  dashboard: z.strictObject({ url: httpsUrl }).optional(),
});

const cluster = z.strictObject({
  name,
  apiUrl: httpsUrl,
  caFile: z.string().min(1).optional(),
  token: secretRef,
  /** Client id in this cloud's realm whose tokens the cluster accepts. */
  audience: z.string().min(1).default('kubernetes'),
  /**
   * The AuthenticationConfiguration file the cluster's kube-apiserver reads (--authentication-config),
   * when the broker can write it (same host or a shared volume). Without it the broker manages RBAC only.
   */
  authenticationConfigFile: z.string().min(1).optional(),
  /**
   * At most this many seconds a partner token for this cluster lives (the access token lifespan of its
   * audience client, set by apply). Kubernetes keeps nothing per user, so this bounds how long a user
   * removed at home keeps using a token already issued. Unset: the realm's lifespan applies.
   */
  tokenLifetimeSeconds: z.number().int().min(60).max(86400).optional(),
});

export const cloudSchema = z.strictObject({
  alias: cloudAlias,
  displayName: z.string().min(1),
  emailDomains: z.array(emailDomain).default([]),
  homeProtocol: z.enum(['oidc', 'saml']).default('oidc'),
  keycloak,
  keystone: keystone.optional(),
  kubernetes: z.strictObject({ clusters: z.array(cluster).min(1) }).optional(),
});

export const trustSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('mesh') }),
  /** An edge lets users of `home` log into `partner` (v1alpha1 said `from` and `to`). */
  z.strictObject({ mode: z.literal('edges'), edges: z.array(z.strictObject({ home: cloudAlias, partner: cloudAlias })).min(1) }),
], { message: 'mode must be "mesh" or "edges"' });

const attributeValues = z.union([z.string(), z.array(z.string()).min(1)]);

const keystoneGrant = z.strictObject({
  domain: z.string().min(1).default('Default'),
  project: z.string().min(1),
  roles: z.array(z.string().min(1)).min(1),
});

/** A Kubernetes role name as the apiserver accepts it in a URL path: no "/" or "%", not "." or "..". Compared exactly. */
const kubernetesRoleName = z.string().regex(/^(?!\.\.?$)[^/%]+$/, { message: 'must be a Kubernetes role name: no "/" or "%", not "." or ".."' });
/** A namespace name: a DNS-1123 label. */
const kubernetesNamespace = z.string().regex(/^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
  message: 'must be a DNS-1123 label (a-z, 0-9, "-", at most 63 characters, starting and ending with a letter or digit)',
});

const kubernetesGrant = z.strictObject({
  cluster: name.optional(),
  namespace: kubernetesNamespace.optional(),
  clusterRole: kubernetesRoleName.optional(),
  role: kubernetesRoleName.optional(),
});

const grant = z.strictObject({
  /** Partner clouds this grant applies to; omitted = every cloud that trusts the subject's home. */
  clouds: z.array(cloudAlias).min(1).optional(),
  keystone: z.array(keystoneGrant).default([]),
  kubernetes: z.array(kubernetesGrant).default([]),
});

const example = z.strictObject({
  name: z.string().optional(),
  subject: z.strictObject({
    homeCloud: cloudAlias,
  username: z.string().min(1),
    groups: z.array(groupPath).default([]),
    attributes: z.record(z.string(), attributeValues).default({}),
  }),
  target: cloudAlias,
  expect: z.strictObject({
    keystone: z.array(keystoneGrant).default([]),
    kubernetes: z.array(kubernetesGrant).default([]),
  }),
});

export const policyRuleSchema = z.strictObject({
  name,
  description: z.string().optional(),
  when: z.strictObject({
    homeClouds: z.array(cloudAlias).min(1).optional(),
    groups: z.strictObject({ any: z.array(groupPath).min(1).optional(), all: z.array(groupPath).min(1).optional() }).optional(),
    attributes: z.record(z.string().min(1), attributeValues).optional(),
  }),
  grant: z.array(grant).min(1),
  examples: z.array(example).default([]),
});

export const namingSchema = z.strictObject({
  /** Downstream user name; must contain {homeCloud} and {username} so two clouds' users never collide. */
  username: z.string().default('{homeCloud}.{username}'),
  /** Keystone domain per home cloud in each partner cloud; must contain {homeCloud}. */
  keystoneDomain: z.string().default('fed-{homeCloud}'),
}).default({ username: '{homeCloud}.{username}', keystoneDomain: 'fed-{homeCloud}' });

export const privilegedSchema = z.strictObject({
  /** Keystone roles policy may never grant; `admin` is always among them. */
  keystoneRoles: z.array(z.string().min(1)).default([...ALWAYS_PRIVILEGED_KEYSTONE_ROLES]),
  /** Kubernetes ClusterRoles policy may never bind; `cluster-admin` is always among them. */
  kubernetesClusterRoles: z.array(z.string().min(1)).default([...ALWAYS_PRIVILEGED_CLUSTER_ROLES]),
  /**
   * Policy rules explicitly allowed to make Kubernetes bindings that validation refuses by effect:
   * cluster-wide bindings of roles that can read Secrets, bind, escalate, impersonate or use wildcards,
   * and bindings in kube-system, kube-public and kube-node-lease. Never cluster-admin, system:* or the
   * roles listed above. Each entry says why, for review.
   */
  allow: z.array(z.strictObject({ rule: name, reason: z.string().trim().min(1) })).default([]),
}).default({ keystoneRoles: [...ALWAYS_PRIVILEGED_KEYSTONE_ROLES], kubernetesClusterRoles: [...ALWAYS_PRIVILEGED_CLUSTER_ROLES], allow: [] });

/** Bounds of `sync.intervalSeconds`: at least a minute apart (a full run reads every home), at most a day (SCS: offboarding within a day). */
export const SYNC_INTERVAL_BOUNDS = { min: 60, max: 86_400, default: 300 } as const;

/** Role sync (docs/sync.md): how often `serve` runs a full sync, and the brake on mass removal. */
export const syncSchema = z.strictObject({
  /** Seconds between two full runs of the sync job in `serve` (the catch-all for what events missed). */
  intervalSeconds: z.number().int().min(SYNC_INTERVAL_BOUNDS.min).max(SYNC_INTERVAL_BOUNDS.max).default(SYNC_INTERVAL_BOUNDS.default),
  brake: z.strictObject({
    /** A run that would remove more than this share (percent) of a home's users or memberships in one partner system stops before writing. */
    maxRemovalPercent: z.number().min(0).max(100).default(10),
    /** Removals below this count never stop a run (small homes). */
    minRemovals: z.number().int().min(0).default(5),
  }).default({ maxRemovalPercent: 10, minRemovals: 5 }),
}).default({ intervalSeconds: SYNC_INTERVAL_BOUNDS.default, brake: { maxRemovalPercent: 10, minRemovals: 5 } });

export const federationSpecSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { message: `must be "${API_VERSION}"` }),
  kind: z.literal('Federation', { message: 'must be "Federation"' }),
  // At most 63: the name is part of the markers in the description of the broker's login flows, and
  // Keycloak keeps 255 characters of a description (test/unit/keycloak-description-limit.test.ts).
  metadata: z.strictObject({ name: name.max(63, { message: 'must be at most 63 characters (the broker writes it into Keycloak fields of limited length); choose a shorter name' }) }),
  broker: z.strictObject({
  /** Public base URL of the broker: back-channel logout receiver and discovery page. */
    url: httpsUrl,
  }),
  naming: namingSchema,
  privileged: privilegedSchema,
  clouds: z.array(cloudSchema).min(1),
  trust: trustSchema.default({ mode: 'mesh' }),
  policy: z.array(policyRuleSchema).default([]),
  sync: syncSchema,
});

export type FederationSpecInput = z.input<typeof federationSpecSchema>;
export type FederationSpec = z.output<typeof federationSpecSchema>;
export type CloudSpec = FederationSpec['clouds'][number];
export type PolicyRule = FederationSpec['policy'][number];
export type GrantSpec = PolicyRule['grant'][number];
export type KeystoneGrant = GrantSpec['keystone'][number];
export type KubernetesGrant = GrantSpec['kubernetes'][number];
export type PolicyExample = PolicyRule['examples'][number];
export type SecretRef = z.output<typeof secretRef>;
