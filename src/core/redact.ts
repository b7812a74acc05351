// What may be logged, pure: secrets are removed from any value before it is written, at every depth
// of objects and arrays, by key (case- and separator-insensitive: `password`, `Client_Secret`,
// `Authorization`, `x-api-key`, ...) and inside every string (URL credentials such as
// `redis://:pass@host`, `Bearer`/`Basic` credentials, `secret=...` parameters, JWTs). Errors are
// reduced to name, code and message, and so are their causes: their other properties (request
// configs, headers, token payloads) never reach a log.

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';
/** What a secret inside a string is replaced with. */
export const MASK = '***';

const MAX_DEPTH = 8;
const MAX_CAUSES = 5;

// Keys whose values are secrets; matched on the key lowercased with everything but letters and digits
// removed (so client_secret, clientSecret and Client-Secret are one key).
const SECRET_KEY = /password|passwd|passphrase|secret|token|authorization|cookie|apikey|credential|privatekey|signature/;
const SECRET_KEY_EXACT = new Set(['pwd', 'pass', 'auth', 'bearer', 'jwt', 'assertion', 'samlresponse']);
// ... unless they only name where or what kind of secret is meant (tokenEndpoint, token_type, secretRef).
const NOT_SECRET_SUFFIX = /(endpoint|url|uri|type|ref|file|env|count|ttl|seconds)$/;

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_KEY_EXACT.has(k)) return true;
  return SECRET_KEY.test(k) && !NOT_SECRET_SUFFIX.test(k);
}

// Every pattern starts only where a run of its characters starts (lookbehind), so that no input makes
// them backtrack quadratically: redaction runs on every log line, including attacker-chosen strings.
const STRING_RULES: readonly [RegExp, (match: string, ...groups: string[]) => string][] = [
  // scheme://user:password@host, scheme://:password@host, scheme://token@host (greedy to the last @ of the authority)
  [/(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#]*)@/g, (_m, scheme, userinfo) => {
    const colon = (userinfo ?? '').indexOf(':');
    return colon < 0 ? `${scheme}${MASK}@` : `${scheme}${(userinfo ?? '').slice(0, colon)}:${MASK}@`;
  }],
  // JWS/JWT compact serialisations (logout tokens, access tokens)
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, () => `${MASK}jwt`],
  // Authorization header values
  [/(?<![A-Za-z0-9])(Bearer|Basic|Negotiate)(\s+)[A-Za-z0-9._~+/=-]+/gi, (_m, scheme, space) => `${scheme}${space}${MASK}`],
];

/** `text` with every credential that can be recognised in it masked. */
export function redactString(text: string): string {
  let out = text;
  for (const [pattern, replace] of STRING_RULES) out = out.replace(pattern, replace as (substring: string, ...args: unknown[]) => string);
  return maskParameters(out);
}

// `name=value`, `name: value`, `"name":"value"`: the name and separator are matched, the value is
// scanned by hand, so a non-secret `https:` or `a=` does not swallow a secret parameter after it.
const PARAMETER = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]+)("?[ \t]*[:=][ \t]*"?)/g;
const VALUE_END = new Set([' ', '\t', '\n', '\r', '&', '"', "'", ',', ';', '}']);
const ALREADY_MASKED = /^(?:\*\*\*|Bearer|Basic|Negotiate)$/i;

function maskParameters(text: string): string {
  let out = '';
  let copied = 0;
  PARAMETER.lastIndex = 0;
  for (let m = PARAMETER.exec(text); m !== null; m = PARAMETER.exec(text)) {
    const start = m.index + m[0].length;
    if (!isSecretKey(m[1] ?? '')) continue;
    const quoted = (m[2] ?? '').endsWith('"');
    let end = start;
    while (end < text.length && (quoted ? text[end] !== '"' : !VALUE_END.has(text[end] as string))) end += 1;
    if (end === start || ALREADY_MASKED.test(text.slice(start, end))) continue;
    out += `${text.slice(copied, start)}${MASK}`;
    copied = end;
    PARAMETER.lastIndex = end;
  }
  return out + text.slice(copied);
}

/**
 * A copy of `value` fit for a log: secret keys replaced by [REDACTED] at every depth, strings
 * redacted, errors summarised, cycles and depth cut off. Never throws.
 */
export function redactValue(value: unknown): unknown {
  try {
    return walk(value, 0, new WeakSet());
  } catch {
    return '[Unserializable]'; // a throwing getter or proxy
  }
}

function walk(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  if (value instanceof Error) return errorSummary(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, ancestors) ?? null);
    if (value instanceof Map) return walkEntries([...value.entries()].map(([k, v]) => [String(k), v]), depth, ancestors);
    if (value instanceof Set) return [...value].map((item) => walk(item, depth + 1, ancestors) ?? null);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(value), depth + 1, ancestors);
    return walkEntries(Object.entries(value), depth, ancestors);
  } catch {
    return '[Unserializable]';
  } finally {
    ancestors.delete(value);
  }
}

function walkEntries(entries: [string, unknown][], depth: number, ancestors: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const safeKey = redactString(key);
    if (isSecretKey(key) && item !== undefined && item !== null && typeof item !== 'boolean') out[safeKey] = REDACTED;
    else {
      const walked = walk(item, depth + 1, ancestors);
      if (walked !== undefined) out[safeKey] = walked;
    }
  }
  return out;
}

/** An error inside a logged value: its head and the heads of its causes, nothing else. */
function errorSummary(error: Error): Record<string, unknown> {
  const causes = error.cause === undefined ? [] : causeChain(error.cause);
  return { ...errorHead(error), ...(causes.length > 0 && { causes }) };
}

/** One link of a cause chain: what is safe to know about an error. */
export interface ErrorLink {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}

function errorHead(error: unknown): ErrorLink {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: redactString(String(error.name)).slice(0, 100),
      ...((typeof code === 'string' || typeof code === 'number') && { code: redactString(String(code)).slice(0, 100) }),
      message: redactString(String(error.message)).slice(0, 1000),
    };
  }
  return { name: typeof error, message: typeof error === 'string' ? redactString(error).slice(0, 1000) : `(a value of type ${typeof error}, not shown)` };
}

/** `error` and its causes (at most MAX_CAUSES, cycles cut), each as name, code and redacted message only. */
export function causeChain(error: unknown): ErrorLink[] {
  const chain: ErrorLink[] = [];
  const seen = new Set<unknown>();
  try {
    for (let current = error; current !== undefined && current !== null && chain.length < MAX_CAUSES && !seen.has(current); current = (current as { cause?: unknown }).cause) {
      seen.add(current);
      chain.push(errorHead(current));
      if (typeof current !== 'object') break;
    }
  } catch {
    chain.push({ name: 'unknown', message: '(an error that cannot be read)' });
  }
  return chain;
}
