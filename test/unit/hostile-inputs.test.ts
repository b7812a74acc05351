// Hostile spec files and identity-provider metadata: each one is refused with a spec or metadata
// code (and a line where the parser knows it), never ERR_INTERNAL or a stack trace, and fast: every
// case is timed with performance.now and must finish well under a second (bound: 2000 ms).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSpecFile } from '../../src/adapters/federation-file.ts';
import { KeycloakHomeMetadata } from '../../src/adapters/keycloak/home-metadata.ts';
import { MAX_DEPTH as XML_MAX_DEPTH } from '../../src/adapters/keycloak/saml-descriptor.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import type { SpecProblem } from '../../src/core/federation/problems.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { SPEC_MAX_BYTES, SPEC_MAX_DEPTH } from '../../src/core/federation/yaml-limits.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec } from '../support/example-federation.ts';
import { makeTestTls } from '../support/tls.ts';

const BUDGET_MS = 2000;
const example = readFileSync(EXAMPLE_SPEC_PATH, 'utf8');

/** Runs `work`, prints how long it took, and asserts the budget. */
async function timed<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  console.log(`# ${name}: ${ms.toFixed(1)} ms`);
  assert.ok(ms < BUDGET_MS, `${name} took ${ms.toFixed(0)} ms`);
  return result;
}

function onlyProblem(problems: readonly SpecProblem[], code: SpecProblem['code']): SpecProblem {
  const found = problems.find((p) => p.code === code);
  assert.ok(found, `expected ${code}, got ${JSON.stringify(problems.map((p) => p.code))}`);
  return found;
}

function refusedSpec(text: string, code: SpecProblem['code']): SpecProblem {
  const result = parseSpecText(text);
  assert.equal(result.ok, false);
  return onlyProblem(result.problems, code);
}

describe('hostile spec files', () => {
  it('an alias bomb ("billion laughs") is ERR_SPEC_LIMIT at the line of the first alias', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i += 1) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const p = await timed('alias bomb, 9 levels of 9', () => refusedSpec(`${levels.join('\n')}\n`, 'ERR_SPEC_LIMIT'));
    assert.equal(p.line, 2);
    assert.match(p.message, /aliases expand to more than 100 nodes/);
  });

  it('a few aliases stay allowed', async () => {
    const text = example.replace('        subject: { homeCloud: cloud-a, username: alice, groups: [/projects/p1/members] }',
      '        subject: { homeCloud: cloud-a, username: alice, groups: &members [/projects/p1/members] }')
      .replace('        subject: { homeCloud: cloud-b, username: alice, groups: [/projects/p1/members] }', '        subject: { homeCloud: cloud-b, username: alice, groups: *members }');
    assert.notEqual(text, example);
    const result = await timed('a spec with one alias', () => parseSpecText(text));
    assert.equal(result.ok, true, JSON.stringify(result.problems));
  });

  it('50,000-deep flow nesting is ERR_SPEC_LIMIT on line 1, without a stack overflow', async () => {
    const p = await timed('50,000 nested flow lists', () => refusedSpec(`clouds: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, 'ERR_SPEC_LIMIT'));
    assert.equal(p.line, 1);
    assert.match(p.message, new RegExp(`nested more than ${SPEC_MAX_DEPTH} levels`));
  });

  it('deep block nesting is ERR_SPEC_LIMIT at the line that goes too deep', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    const p = await timed('300 nested block mappings', () => refusedSpec(text, 'ERR_SPEC_LIMIT'));
    assert.ok(p.line !== undefined && p.line > SPEC_MAX_DEPTH - 2 && p.line < SPEC_MAX_DEPTH + 4, `line ${p.line}`);
    const seq = await timed('20,000 nested block list items', () => refusedSpec(`${'- '.repeat(20_000)}x\n`, 'ERR_SPEC_LIMIT'));
    assert.equal(seq.line, 1);
  });

  it('__proto__, constructor and prototype keys are ERR_SPEC_SCHEMA with path and line, and pollute nothing', async () => {
    const top = await timed('top-level __proto__', () => refusedSpec(`__proto__: { polluted: true }\n${example}`, 'ERR_SPEC_SCHEMA'));
    assert.deepEqual([top.path, top.line], [['__proto__'], 1]);
    // Example attributes are a free-form record: the one place a strict schema would not catch the key.
    const inRecord = example.replace('        subject: { homeCloud: cloud-a, username: bob }', '        subject: { homeCloud: cloud-a, username: bob, attributes: { constructor: [x], prototype: [y] } }');
    assert.notEqual(inRecord, example);
    const result = await timed('constructor in a record', () => parseSpecText(inRecord));
    assert.equal(result.ok, false);
    const keys = result.problems.filter((p) => p.code === 'ERR_SPEC_SCHEMA').map((p) => [p.path.join('.'), p.line]);
    const line = inRecord.split('\n').findIndex((l) => l.includes('constructor: [x]')) + 1;
    assert.ok(line > 1);
    assert.deepEqual(keys, [['policy.0.examples.1.subject.attributes.constructor', line], ['policy.0.examples.1.subject.attributes.prototype', line]]);
    const json = await timed('__proto__ in a JSON spec', () => refusedSpec('{"clouds": [{"__proto__": {"alias": "x"}}]}', 'ERR_SPEC_SCHEMA'));
    assert.deepEqual(json.path, ['clouds', 0, '__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('a text above the size limit is ERR_SPEC_LIMIT before parsing', async () => {
    const p = await timed('1 MiB + 1 of YAML text', () => refusedSpec(`clouds:\n${'  - a\n'.repeat(SPEC_MAX_BYTES / 6 + 1)}`, 'ERR_SPEC_LIMIT'));
    assert.match(p.message, /larger than the limit of 1 MiB/);
  });

  it('a 50 MB YAML list file is ERR_SPEC_LIMIT naming the file and the limit, not read to the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedbroker-hostile-'));
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, Buffer.from('- a\n'.repeat(50 * 1024 * 1024 / 4)));
    const { result } = await timed('50 MB spec file', () => readSpecFile(file));
    assert.equal(result.ok, false);
    const p = onlyProblem(result.problems, 'ERR_SPEC_LIMIT');
    assert.ok(p.message.includes(file), p.message);
    assert.match(p.message, /limit of 1 MiB \(1048576 bytes\) \(52428800 bytes\)/);
    // A device with no size: read up to the limit, then refused.
    const zero = await timed('/dev/zero as spec file', () => readSpecFile('/dev/zero'));
    assert.equal(zero.result.ok, false);
    assert.match(onlyProblem(zero.result.problems, 'ERR_SPEC_LIMIT').message, /\/dev\/zero is larger than the limit/);
  });
});

describe('hostile identity-provider metadata', () => {
  let server: Server;
  let origin: string;
  let caFile: string;
  const documents = new Map<string, string>();
  const reader = new KeycloakHomeMetadata({ baseDir: '/' });

  before(async () => {
    const tls = makeTestTls();
    caFile = join(mkdtempSync(join(tmpdir(), 'fedbroker-hostile-md-')), 'ca.pem');
    writeFileSync(caFile, tls.caPem);
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      const body = documents.get(req.url ?? '');
      if (body === undefined) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': body.startsWith('{') ? 'application/json' : 'application/xml' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => { server.closeAllConnections(); server.close(); });

  const cloud = (realm: string, homeProtocol: 'oidc' | 'saml'): CloudSpec => exampleSpec((doc) => {
    Object.assign(doc.clouds[0], { homeProtocol });
    Object.assign(doc.clouds[0].keycloak, { url: origin, realm, caFile });
  }).clouds[0] as CloudSpec;

  async function refusedMetadata(name: string, xml: string, mention: RegExp): Promise<void> {
    documents.set(`/realms/${name}/protocol/saml/descriptor`, xml);
    await timed(`SAML metadata: ${name}`, () => assert.rejects(reader.read(cloud(name, 'saml')), (e: unknown) => {
      assert.ok(isBrokerError(e, 'ERR_METADATA_INVALID'), `expected ERR_METADATA_INVALID, got ${String(e)}`);
      assert.match(e.message, mention);
      return true;
    }));
  }

  const entity = (inner: string) => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor>${inner}</md:IDPSSODescriptor></md:EntityDescriptor>`;
  const key = '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>QUJD</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>';
  const sso = '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso"/>';

  it('50,000-deep metadata is refused: nesting', () => refusedMetadata('deep', entity(`${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}`), new RegExp(`more than ${XML_MAX_DEPTH} deep`)));
  it('a __proto__ element is refused', () => refusedMetadata('proto', entity(`${key}${sso}<__proto__><polluted>1</polluted></__proto__>`), /"__proto__"/));
  it('a constructor element is refused', () => refusedMetadata('ctor', entity(`<constructor/>${key}${sso}`), /"constructor"/));
  it('thousands of signing keys are refused', () => refusedMetadata('keys', entity(`${key.repeat(2000)}${sso}`), /2000 signing certificates/));
  it('an entity bomb (DOCTYPE) is refused', () => refusedMetadata('doctype', `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${entity('&b;')}`, /DOCTYPE/));
  it('unbalanced deep metadata is refused too', () => refusedMetadata('open', `${'<x>'.repeat(50_000)}`, /more than 32 deep|not well-formed/));

  it('a __proto__ key in a discovery document pollutes nothing', async () => {
    const base = `${origin}/realms/dproto`;
    documents.set('/realms/dproto/.well-known/openid-configuration', `{"__proto__": {"polluted": true}, "issuer": "${base}", "authorization_endpoint": "${base}/auth", "token_endpoint": "${base}/token", "jwks_uri": "${base}/certs"}`);
    const metadata = await timed('discovery with __proto__', () => reader.read(cloud('dproto', 'oidc')));
    assert.equal(metadata.protocol, 'oidc');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal((metadata as unknown as Record<string, unknown>)['polluted'], undefined);
  });
});
