// Hand-written mapping-engine cases for the differential test: Keystone behaviours beyond what the
// broker generates (placeholders, Python list repr, filters, regex, several users, group quirks).
import type { JsonValue } from '../../src/core/json.ts';
import type { OracleCase } from './keystone-oracle.ts';

type Case = OracleCase & { label: string };
const user = (name: string, extra: Record<string, JsonValue> = {}) => ({ user: { name, ...extra } });
const group = (name: string, domain: Record<string, string> = { name: 'd' }) => ({ group: { name, domain } });
const rule = (local: JsonValue[], remote: JsonValue[]) => ({ local, remote });

export const ENGINE_EDGE_CASES: readonly Case[] = [
  { label: 'placeholder, one value', rules: [rule([user('{0}')], [{ type: 'U' }])], assertion: { U: 'alice' } },
  { label: 'placeholder list repr of several values', rules: [rule([user('{0}')], [{ type: 'U' }])], assertion: { U: 'a;b;a' } },
  { label: 'placeholder list repr with quotes, backslash, control and non-ASCII', rules: [rule([user('{0}')], [{ type: 'U' }])], assertion: { U: 'it\'s;b"x;both\'"q;back\\slash;tab\tnl\nx;é;\u0001;\u200b;\u00a0' } },
  { label: 'empty value and empty elements', rules: [rule([user('<{0}>')], [{ type: 'U' }])], assertion: { U: ';;' } },
  { label: 'empty string value is present', rules: [rule([user('x')], [{ type: 'G', any_one_of: [''] }])], assertion: { G: '' } },
  { label: 'two placeholders and auto numbering', rules: [rule([user('{} {}', { email: '{1}@x' })], [{ type: 'A' }, { type: 'B' }])], assertion: { A: 'a', B: 'b' } },
  { label: 'escaped braces', rules: [rule([user('{{{0}}}'), group('g{{1}}')], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'placeholder out of range: DirectMappingError', rules: [rule([user('{1}')], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'placeholder in a rule without direct maps', rules: [rule([user('{0}')], [{ type: 'U', any_one_of: ['u'] }])], assertion: { U: 'u' } },
  { label: 'single closing brace', rules: [rule([user('a}b')], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'any_one_of and not_any_of are not direct maps', rules: [rule([user('{0}')], [{ type: 'A', any_one_of: ['x'] }, { type: 'B', not_any_of: ['y'] }, { type: 'U' }])], assertion: { A: 'x;z', B: 'q', U: 'u' } },
  { label: 'not_any_of hit', rules: [rule([user('u')], [{ type: 'B', not_any_of: ['y'] }])], assertion: { B: 'q;y' } },
  { label: 'missing attribute', rules: [rule([user('u')], [{ type: 'B', not_any_of: ['y'] }])], assertion: { C: 'q' } },
  { label: 'whitelist one value', rules: [rule([user('{0}')], [{ type: 'G', whitelist: ['b', 'z'] }])], assertion: { G: 'a;b;c' } },
  { label: 'whitelist nothing left: "[]"', rules: [rule([user('{0}')], [{ type: 'G', whitelist: ['z'] }])], assertion: { G: 'a;b' } },
  { label: 'whitelist regex keeps order and repeats', rules: [rule([user('{0}')], [{ type: 'G', whitelist: ['^a', 'c$'], regex: true }])], assertion: { G: 'ab;c;b;ab;xc' } },
  { label: 'blacklist one value left', rules: [rule([user('{0}')], [{ type: 'G', blacklist: ['a', 'c'] }])], assertion: { G: 'a;b;c;a' } },
  { label: 'blacklist regex', rules: [rule([user('{0}')], [{ type: 'G', blacklist: ['^x'], regex: true }])], assertion: { G: 'xa;b;xb' } },
  { label: 'any_one_of regex', rules: [rule([user('u')], [{ type: 'G', any_one_of: ['^/cloud-a:/', '[0-9]{3}'], regex: true }])], assertion: { G: 'z;/cloud-a:/p' } },
  { label: 'regex false is plain', rules: [rule([user('u')], [{ type: 'G', any_one_of: ['^a'], regex: false }])], assertion: { G: 'abc' } },
  { label: 'first user wins, later ones ignored', rules: [rule([user('first')], [{ type: 'U' }]), rule([user('second')], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'empty user does not count as a user', rules: [rule([{ user: {} }], [{ type: 'U' }]), rule([user('second')], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'user type local with domain', rules: [rule([user('{0}', { type: 'local', domain: { name: 'Default' } })], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'invalid user type', rules: [rule([user('{0}', { type: 'robot' })], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'groups only: no user name', rules: [rule([group('g1')], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'group by id and by name from several rules (extend quirk)', rules: [
    rule([group('g1'), { group: { id: 'gid-1' } }], [{ type: 'U' }]),
    rule([group('g2'), group('g1', { id: 'd' }), group('g3', { name: 'e' })], [{ type: 'U' }]),
    rule([group('g1')], [{ type: 'U' }]),
  ], assertion: { U: 'u' } },
  { label: 'group from placeholder', rules: [rule([group('{0}', { name: '{1}' })], [{ type: 'G' }, { type: 'D' }])], assertion: { G: 'g', D: 'dom' } },
  { label: 'projects: last wins', rules: [rule([{ projects: [{ name: 'p-{0}', roles: [{ name: 'member' }] }] }, user('{0}')], [{ type: 'U' }]), rule([{ projects: [{ name: 'q', roles: [{ name: 'reader' }] }] }], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'no rule matches', rules: [rule([user('u')], [{ type: 'U', any_one_of: ['v'] }])], assertion: { U: 'u' } },
  { label: 'matched rule with empty local maps nothing', rules: [rule([], [{ type: 'U' }])], assertion: { U: 'u' } },
  { label: 'unicode and case are exact', rules: [rule([user('{0}')], [{ type: 'U' }, { type: 'G', any_one_of: ['Ünï'] }])], assertion: { U: 'u', G: 'ünï;ÜNÏ;Ünï' } },
  { label: 'list repr', rules: [rule([user('{0}')], [{ type: 'U' }])], assertion: { U: 'a;b' } },
];
