// The one error-code union: every code is raised somewhere, has an HTTP status, and the spec
// problem codes are part of it; library errors of the HTTP edge get codes of their own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerError, ERROR_CODES, SPEC_PROBLEM_CODES, type ErrorCode } from '../../src/core/errors.ts';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import { fromHttpLibraryError, HTTP_STATUS, statusFor, toProblem } from '../../src/http/problem.ts';

const root = new URL('../..', import.meta.url).pathname;
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourcesUnder(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  it('every code is raised somewhere in src (outside the code list and the status table)', () => {
    const withoutTables = (file: string) => {
      const text = readFileSync(file, 'utf8');
      if (file.endsWith('src/core/errors.ts')) return '';
      return file.endsWith('src/http/problem.ts') ? text.replace(/export const HTTP_STATUS = \{[^}]*\}/, '') : text;
    };
    const text = sourcesUnder(join(root, 'src')).map(withoutTables).join('\n');
    const unused = codes.filter((code) => !text.includes(`'${code}'`));
    assert.deepEqual(unused, []);
  });

  it('the HTTP status table has exactly the codes of the union, each a 4xx or 5xx', () => {
    assert.deepEqual(Object.keys(HTTP_STATUS).sort(), [...codes].sort());
    for (const code of codes) assert.ok(statusFor(code) >= 400 && statusFor(code) <= 599, code);
  });

  it('the spec problem codes are codes of the union; validation reports only those', () => {
    for (const code of Object.keys(SPEC_PROBLEM_CODES)) assert.ok(Object.hasOwn(ERROR_CODES, code), code);
    const text = readFileSync(join(root, 'test/fixtures/federations/five-mistakes.yaml'), 'utf8');
    const result = parseSpecText(text);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.ok(result.problems.length >= 5);
    for (const p of result.problems) assert.ok(Object.hasOwn(SPEC_PROBLEM_CODES, p.code), p.code);
  });

  it('translates body-parser errors into request codes, leaves broker errors and other errors alone', () => {
    const lib = (type: string, status: number) => Object.assign(new Error(type), { type, status, statusCode: status });
    const codeOf = (e: unknown) => (e as BrokerError).code;
    assert.equal(codeOf(fromHttpLibraryError(lib('entity.too.large', 413))), 'ERR_REQUEST_BODY_TOO_LARGE');
    assert.equal(codeOf(fromHttpLibraryError(lib('parameters.too.many', 413))), 'ERR_REQUEST_BODY_TOO_LARGE');
    assert.equal(codeOf(fromHttpLibraryError(lib('charset.unsupported', 415))), 'ERR_REQUEST_CONTENT_TYPE');
    assert.equal(codeOf(fromHttpLibraryError(lib('encoding.unsupported', 415))), 'ERR_REQUEST_CONTENT_TYPE');
    assert.equal(codeOf(fromHttpLibraryError(lib('entity.parse.failed', 400))), 'ERR_REQUEST_MALFORMED');
    assert.equal(codeOf(fromHttpLibraryError(lib('request.aborted', 400))), 'ERR_REQUEST_MALFORMED');
    const broker = new BrokerError('ERR_LOGOUT_MALFORMED', 'no token');
    assert.equal(fromHttpLibraryError(broker), broker);
    const plain = new Error('boom');
    assert.equal(fromHttpLibraryError(plain), plain);
    assert.equal(toProblem(plain, 'id').code, 'ERR_INTERNAL');
    assert.equal(toProblem(plain, 'id').status, 500);
  });

  it('a 5xx problem shows only the generic title, a 4xx the message', () => {
    const internal = toProblem(new BrokerError('ERR_KEYCLOAK_API', 'GET https://kc.internal/admin failed'), 'e1');
    assert.deepEqual([internal.status, internal.code, internal.detail], [502, 'ERR_KEYCLOAK_API', ERROR_CODES.ERR_KEYCLOAK_API]);
    const refused = toProblem(new BrokerError('ERR_REQUEST_CONTENT_TYPE', 'send a form'), 'e2');
    assert.deepEqual([refused.status, refused.detail, refused.type], [415, 'send a form', 'urn:fedbroker:error:ERR_REQUEST_CONTENT_TYPE']);
  });
});
