// The AuthenticationConfiguration file an apiserver reads (--authentication-config). Written
// atomically (temp file in the same folder, then rename: an in-place write is seen truncated), only
// when its content changes. Reload is confirmed through the apiserver's /metrics:
// apiserver_authentication_config_controller_last_config_info{hash="sha256:<hex of the file>"}.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BrokerError } from '../../core/errors.ts';
import type { KubernetesAuthenticationConfigPort } from '../../ports.ts';

const INFO = 'apiserver_authentication_config_controller_last_config_info';
const RELOADS = 'apiserver_authentication_config_controller_automatic_reloads_total';

export interface AuthenticationConfigFileOptions {
  readonly cloud: string;
  readonly cluster: string;
  readonly path: string;
  /** The apiserver's /metrics text (admin credentials). */
  readonly metrics: () => Promise<string>;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export const sha256Hex = (content: string) => createHash('sha256').update(content, 'utf8').digest('hex');

/** Hash of the active configuration, and the number of failed automatic reloads, from /metrics text. */
export function parseReloadMetrics(text: string): { activeHash?: string; failures: number } {
  let activeHash: string | undefined;
  let failures = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${INFO}{`) && /\}\s+1(\.0+)?$/.test(line)) activeHash = /[{,]hash="sha256:([0-9a-f]{64})"/.exec(line)?.[1] ?? activeHash;
    if (line.startsWith(`${RELOADS}{`) && line.includes('status="failure"')) failures += Number(line.trim().split(/\s+/).at(-1)) || 0;
  }
  return activeHash === undefined ? { failures } : { activeHash, failures };
}

export class AuthenticationConfigFile implements KubernetesAuthenticationConfigPort {
  readonly #o: AuthenticationConfigFileOptions;
  #failuresBeforeWrite: number | undefined;

  constructor(options: AuthenticationConfigFileOptions) {
    this.#o = options;
  }

  get path(): string {
    return this.#o.path;
  }

  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.#o.path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#error(`cannot read ${this.#o.path}`, cause);
    }
  }

  async write(content: string): Promise<boolean> {
    if ((await this.read()) === content) return false;
    this.#failuresBeforeWrite = await this.#metrics().then((m) => m.failures, () => undefined);
    const temp = join(dirname(this.#o.path), `.${basename(this.#o.path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, content, { mode: 0o600 });
      await rename(temp, this.#o.path);
    } catch (cause) {
      await rm(temp, { force: true });
      throw this.#error(`cannot write ${this.#o.path}`, cause);
    }
    return true;
  }

  async waitForReload(content: string, timeoutMs = 60_000): Promise<number> {
    const now = this.#o.now ?? Date.now;
    const sleep = this.#o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const wanted = sha256Hex(content);
    const started = now();
    for (;;) {
      const { activeHash, failures } = await this.#metrics();
      if (activeHash === wanted) return now() - started;
      if (this.#failuresBeforeWrite !== undefined && failures > this.#failuresBeforeWrite) {
        throw this.#error(`the apiserver rejected the new authentication config in ${this.#o.path} (failed reloads: ${failures}); see its log`);
      }
      if (now() - started >= timeoutMs) {
        throw this.#error(`the apiserver did not load the authentication config in ${this.#o.path} within ${Math.round(timeoutMs / 1000)} s (active sha256 ${activeHash ?? 'unknown'}); is the issuer reachable from the apiserver?`);
      }
      await sleep(this.#o.pollMs ?? 1000);
    }
  }

  async #metrics(): Promise<{ activeHash?: string; failures: number }> {
    return parseReloadMetrics(await this.#o.metrics());
  }

  #error(message: string, cause?: unknown): BrokerError {
    return new BrokerError('ERR_KUBERNETES_AUTHN_CONFIG', `cluster ${this.#o.cluster} of cloud ${this.#o.cloud}: ${message}`,
      { ...(cause !== undefined && { cause }), details: { cloud: this.#o.cloud, cluster: this.#o.cluster, file: this.#o.path } });
  }
}
