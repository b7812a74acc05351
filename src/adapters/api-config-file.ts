// Read the admin API's configuration file (YAML or JSON, at most 64 KiB) and validate it against
// the spec (src/core/authz/config.ts); an unreadable or invalid file is ERR_CONFIG_INVALID.
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseApiConfig, type ApiConfig } from '../core/authz/config.ts';
import { BrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';

const MAX_BYTES = 64 * 1024;

export interface ApiConfigFile {
  readonly config: ApiConfig;
  /** The CA files of extra issuers are relative to the configuration file's folder. */
  readonly baseDir: string;
}

export async function readApiConfigFile(file: string, spec: Pick<FederationSpec, 'clouds'>): Promise<ApiConfigFile> {
  let text: string;
  try {
    if ((await stat(file)).size > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new BrokerError('ERR_CONFIG_INVALID', `the API configuration ${file} cannot be read (${(cause as Error).message})`, { cause, details: { file } });
  }
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 10 });
  } catch (cause) {
    throw new BrokerError('ERR_CONFIG_INVALID', `the API configuration ${file} is not valid YAML`, { cause, details: { file } });
  }
  return { config: parseApiConfig(document, spec), baseDir: dirname(resolve(file)) };
}
