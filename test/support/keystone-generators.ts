// Deterministic generated federation specs and token claims for the Keystone mapping tests:
// random clouds, trust, naming templates, policy (groups any/all, attributes, grants per cloud),
// brokered subjects, and claims as P's realm would issue them plus adversarial variants.
import fc from 'fast-check';
import type { Claims } from '../../src/core/explain/keystone.ts';
import { brokeredClaims } from '../../src/core/explain/keystone.ts';
import type { PolicySubject } from '../../src/core/subject.ts';
import { keystonePartners } from '../../src/core/render/keystone/index.ts';
import type { KeystoneCapabilities } from '../../src/core/render/keystone/model.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { federationSpecSchema } from '../../src/core/federation/schema.ts';
import { exampleDoc, type MutableDoc } from './example-federation.ts';

const ALIASES = ['cloud-a', 'cloud-b', 'cloud-c', 'cloud-d', 'x1', 'edge-9'] as const;
export const GROUP_POOL = ['/projects/p1/members', '/projects/p1/admins', '/ops', '/a b/c', '/x/y.z', '/ünï/cödé', '/{brace}/x'] as const;
const ROLES = ['member', 'reader', 'load-balancer_member', 'creator'] as const;
const USERNAME_TEMPLATES = ['{homeCloud}.{username}', '{username}@{homeCloud}', 'fed_{homeCloud}-{username}', '{homeCloud}.{username}.Ext', '{username}.{homeCloud}.{username}'] as const;
const DOMAIN_TEMPLATES = ['fed-{homeCloud}', '{homeCloud}-users', 'F.{homeCloud}.{odd}', 'fed {homeCloud}'] as const;
const USERNAMES = ['alice', 'bob', 'Carol', 'd.e', 'ünï', 'a{0}b', 'x;y', 'tab\tname'] as const;

export interface GeneratedCase {
  readonly spec: FederationSpec;
  readonly target: string;
  readonly subject: PolicySubject;
  readonly claims: Claims;
  readonly capabilities: KeystoneCapabilities;
  /** "brokered" = what P's realm issues for this subject; otherwise the name of the tampering. */
  readonly variant: string;
}

const cloudsArb = fc.uniqueArray(fc.constantFrom(...ALIASES), { minLength: 2, maxLength: 4 });

const ruleArb = (aliases: readonly string[]) => fc.record({
  homeClouds: fc.option(fc.subarray([...aliases], { minLength: 1 }), { nil: undefined }),
  any: fc.option(fc.subarray([...GROUP_POOL], { minLength: 1, maxLength: 3 }), { nil: undefined }),
  all: fc.option(fc.subarray([...GROUP_POOL], { minLength: 1, maxLength: 2 }), { nil: undefined }),
  attributes: fc.option(fc.constantFrom({ department: ['eng', 'ops'] }, { department: 'eng' }, { level: ['1'], site: 'x' }), { nil: undefined }),
  grants: fc.array(fc.record({
    clouds: fc.option(fc.subarray([...aliases], { minLength: 1 }), { nil: undefined }),
    keystone: fc.array(fc.record({
      domain: fc.option(fc.constantFrom('Default', 'dom-x'), { nil: undefined }),
      project: fc.constantFrom('p1', 'p2', 'shared'),
      roles: fc.subarray([...ROLES], { minLength: 1 }),
    }), { maxLength: 2 }),
  }), { minLength: 1, maxLength: 2 }),
});

const specDocArb = cloudsArb.chain((aliases) => fc.record({
  aliases: fc.constant(aliases),
  withoutKeystone: fc.subarray(aliases.slice(1), { maxLength: 1 }),
  audience: fc.constantFrom('openstack', 'keystone', 'os-cli'),
  identityProvider: fc.constantFrom('keycloak', 'kc-realm'),
  mesh: fc.boolean(),
  edges: fc.uniqueArray(fc.tuple(fc.constantFrom(...aliases), fc.constantFrom(...aliases)).filter(([a, b]) => a !== b),
    { minLength: 1, maxLength: 6, selector: ([a, b]) => `${a}>${b}` }),
  username: fc.constantFrom(...USERNAME_TEMPLATES),
  keystoneDomain: fc.constantFrom(...DOMAIN_TEMPLATES),
  rules: fc.array(ruleArb(aliases), { maxLength: 5 }),
}));

function buildSpec(g: SpecDocInput): FederationSpec {
  const doc: MutableDoc = exampleDoc();
  const template = doc.clouds[0];
  doc.naming = { username: g.username, keystoneDomain: g.keystoneDomain };
  doc.clouds = g.aliases.map((alias, i) => {
    const cloud = structuredClone(template);
    cloud.alias = alias;
    cloud.displayName = alias;
    cloud.emailDomains = [];
    cloud.keycloak.realm = alias;
    cloud.keystone.url = `https://127.0.0.1:${16001 + i}`;
    cloud.keystone.audience = g.audience;
    cloud.keystone.identityProvider = g.identityProvider;
    if ((g.withoutKeystone as readonly string[]).includes(alias)) delete cloud.keystone;
    delete cloud.kubernetes;
    return cloud;
  });
  doc.trust = g.mesh ? { mode: 'mesh' } : { mode: 'edges', edges: g.edges.map(([home, partner]) => ({ home, partner })) };
  doc.policy = g.rules.map((r, i) => ({
    name: `rule-${i}`,
    when: {
      ...(r.homeClouds && { homeClouds: r.homeClouds }),
      ...((r.any || r.all) && { groups: { ...(r.any && { any: r.any }), ...(r.all && { all: r.all }) } }),
      ...(r.attributes && { attributes: r.attributes }),
    },
    grant: r.grants.map((grant) => ({
      // A keystone grant may only name clouds that have a keystone section.
      ...(grant.clouds && { clouds: grant.clouds.filter((c) => !(g.withoutKeystone as readonly string[]).includes(c) || grant.keystone.length === 0) }),
      keystone: grant.keystone.map((k) => ({ ...(k.domain && { domain: k.domain }), project: k.project, roles: k.roles })),
    })).map((grant) => (grant.clouds && grant.clouds.length === 0 ? { keystone: grant.keystone } : grant)),
  }));
  const result = validateSpec(doc);
  if (result.ok) return result.spec;
  // Attribute conditions are refused by validation for now, but the mapping engine must still agree on them.
  const onlyAttributes = result.problems.every((p) => p.code === 'ERR_SPEC_GRANT' && p.path.at(-1) === 'attributes');
  if (onlyAttributes) return federationSpecSchema.parse(doc);
  throw new Error(`generated spec is invalid: ${JSON.stringify(result.problems)}`);
}

type SpecDocInput = typeof specDocArb extends fc.Arbitrary<infer T> ? T : never;

const subjectArb = fc.record({
  home: fc.nat(),
  target: fc.nat(),
  username: fc.constantFrom(...USERNAMES),
  groups: fc.subarray([...GROUP_POOL, '/not/in/policy']),
  attributes: fc.constantFrom<Record<string, string[]>>({}, { department: ['eng'] }, { department: ['ops', 'eng'] }, { level: ['1'], site: ['x'] }, { site: ['y'] }),
  variant: fc.constantFrom('brokered', 'brokered', 'brokered', 'wrong-audience', 'several-audiences', 'no-audience', 'other-home',
    'no-home', 'two-homes', 'foreign-username', 'upper-case-username', 'no-username', 'raw-home-groups', 'foreign-groups',
    'semicolon-group', 'empty-groups', 'other-attribute'),
  honoursRuleDomain: fc.boolean(),
});

function tamper(claims: Claims, variant: string, spec: FederationSpec, home: string): Claims {
  const other = spec.clouds.map((c) => c.alias).find((a) => a !== home) ?? 'cloud-z';
  const { [variant === 'no-audience' ? 'aud' : variant === 'no-home' ? 'home_cloud' : variant === 'no-username' ? 'preferred_username' : '']: _dropped, ...rest } = claims;
  const name = String(claims['preferred_username'] ?? '');
  const groups = Array.isArray(claims['groups']) ? claims['groups'] as string[] : [];
  switch (variant) {
    case 'wrong-audience': return { ...claims, aud: 'kubernetes' };
    case 'several-audiences': return { ...claims, aud: ['account', String(claims['aud'])] };
    case 'other-home': return { ...claims, home_cloud: other };
    case 'two-homes': return { ...claims, home_cloud: [home, other] };
    case 'foreign-username': return { ...claims, preferred_username: name.replace(home, other) };
    case 'upper-case-username': return { ...claims, preferred_username: name.toUpperCase() };
    case 'raw-home-groups': return { ...claims, groups: groups.map((g) => g.slice(g.indexOf(':') + 1)) };
    case 'foreign-groups': return { ...claims, groups: groups.map((g) => g.replace(`/${home}:`, `/${other}:`)) };
    case 'semicolon-group': return { ...claims, groups: [...groups, '/x;/projects/p1/members'] };
    case 'empty-groups': return { ...claims, groups: [] };
    case 'other-attribute': return { ...claims, department: 'sales' };
    default: return rest;
  }
}

/** `count` deterministic cases (same seed → same cases); each from its own generated spec. */
export function generatedCases(count: number, seed: number): GeneratedCase[] {
  const docs = fc.sample(fc.tuple(specDocArb, fc.array(subjectArb, { minLength: 3, maxLength: 6 })), { seed, numRuns: count });
  return docs.flatMap(([doc, subjects]) => {
    const spec = buildSpec(doc);
    const partners = keystonePartners(spec).map((c) => c.alias);
    if (partners.length === 0) return [];
    return subjects.map((s): GeneratedCase => {
      const aliases = spec.clouds.map((c) => c.alias);
      const target = partners[s.target % partners.length] as string;
      const home = aliases[s.home % aliases.length] as string;
      const subject: PolicySubject = { homeCloud: home, homeUsername: s.username, groups: s.groups, attributes: s.attributes };
      const claims = tamper(brokeredClaims(spec, subject, target), s.variant, spec, home);
      const capabilities = { honoursRuleDomain: s.honoursRuleDomain, evidence: 'generated' };
      return { spec, target, subject, claims, capabilities, variant: s.variant };
    });
  });
}
