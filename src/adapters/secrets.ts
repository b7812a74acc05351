// Resolve secret references ({ env } or { file }) at use time. Values are never logged or echoed;
// errors name the reference, not the value.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BrokerError } from '../core/errors.ts';
import type { SecretRef } from '../core/federation/schema.ts';

export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `env:${ref.env}` : `file:${ref.file}`;
}

export async function resolveSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const reference = describeSecretRef(ref);
  let value: string | undefined;
  if ('env' in ref) {
    value = env[ref.env];
  } else {
    try {
      value = await readFile(resolve(baseDir, ref.file), 'utf8');
    } catch (cause) {
      throw new BrokerError('ERR_SECRET_UNRESOLVED', `secret ${reference} cannot be read`, { cause, details: { reference } });
    }
  }
  const trimmed = value?.trim();
  if (!trimmed) {
    throw new BrokerError('ERR_SECRET_UNRESOLVED', `secret ${reference} is missing or empty`, { details: { reference } });
  }
  return trimmed;
}
