// The one place the CA files a spec names (keycloak.caFile, keystone.caFile, a cluster's caFile) are
// read: relative to the spec's folder; a file that is missing or unreadable is a configuration error
// (ERR_CONFIG_INVALID) naming the cloud, the server and the file, whichever command reads it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BrokerError } from '../core/errors.ts';

export interface CaFileOwner {
  readonly cloud: string;
  /** The server whose certificates the file verifies, e.g. `Keycloak`, `Keystone`, `cluster k1`. */
  readonly server: string;
}

/** The PEM text of `file` (resolved against baseDir). */
export async function readCaFile(file: string, baseDir: string, owner: CaFileOwner): Promise<string> {
  const path = resolve(baseDir, file);
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new BrokerError('ERR_CONFIG_INVALID', `the CA file of cloud ${owner.cloud}'s ${owner.server} cannot be read (${file})`,
      { cause, details: { cloud: owner.cloud, server: owner.server, caFile: file, file: path } });
  }
}

/** The extra CA bundle for HttpOut: the file's PEM, or none when the spec names no file. */
export async function caBundle(file: string | undefined, baseDir: string, owner: CaFileOwner): Promise<string[]> {
  return file === undefined ? [] : [await readCaFile(file, baseDir, owner)];
}
