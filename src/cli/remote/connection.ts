// From the --server options to a client of the broker's admin API: the URL (https only, unless
// --insecure-http), the bearer token (from a file or $FEDBROKER_TOKEN, never from the command line),
// the CA bundle. A problem with any of them is ERR_USAGE (exit 2), naming files, never the token.
import { readFile } from 'node:fs/promises';
import { HttpOut } from '../../adapters/http-out.ts';
import { BrokerError } from '../../core/errors.ts';
import { BrokerApiClient } from './api-client.ts';
import { remoteServer, type RemoteOptions } from './options.ts';

/** Long enough for an apply against real systems; the broker bounds its own calls. */
const REMOTE_TIMEOUT_MS = 300_000;
/** A plan of a large federation is large; still bounded. */
const REMOTE_MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function connectToBroker(opts: RemoteOptions): Promise<BrokerApiClient> {
  const base = serverUrl(remoteServer(opts) ?? '', opts.insecureHttp === true);
  const token = await bearerToken(opts.tokenFile);
  const caFile = opts.caFile ?? (process.env['FEDBROKER_SERVER_CA'] || undefined);
  const caPem = caFile === undefined ? [] : [await readNamedFile(caFile, '--ca-file')];
  const http = new HttpOut({ allowedOrigins: [base.origin], caPem, timeoutMs: REMOTE_TIMEOUT_MS, maxBodyBytes: REMOTE_MAX_BODY_BYTES });
  return new BrokerApiClient(base, token, http);
}

/** The server URL: https (http only with --insecure-http, which warns), no credentials, query or fragment. */
export function serverUrl(value: string, insecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BrokerError('ERR_USAGE', `--server must be a URL such as https://broker.example:17443, not "${value}"`, { details: { server: value } });
  }
  const shown = `${url.origin}${url.pathname}`;
  if (url.username || url.password || url.search || url.hash) {
    throw new BrokerError('ERR_USAGE', `--server ${shown} must carry no credentials, query or fragment (the token comes from --token-file or $FEDBROKER_TOKEN)`, { details: { server: shown } });
  }
  if (url.protocol === 'http:') {
    if (!insecureHttp) throw new BrokerError('ERR_USAGE', `--server ${shown} is plain HTTP: the token and the spec would travel unencrypted; use https, or --insecure-http`, { details: { server: shown } });
    console.error(`warning: --insecure-http: talking to ${url.origin} over plain HTTP; the bearer token and the spec travel unencrypted`);
  } else if (url.protocol !== 'https:') {
    throw new BrokerError('ERR_USAGE', `--server must be an https URL, not ${url.protocol}`, { details: { server: shown } });
  }
  return url;
}

async function bearerToken(tokenFile: string | undefined): Promise<string> {
  const token = tokenFile !== undefined ? (await readNamedFile(tokenFile, '--token-file')).trim() : (process.env['FEDBROKER_TOKEN'] ?? '').trim();
  const from = tokenFile !== undefined ? `--token-file ${tokenFile}` : '$FEDBROKER_TOKEN';
  if (token === '') throw new BrokerError('ERR_USAGE', `--server needs a bearer token: --token-file <file> or $FEDBROKER_TOKEN (${from} is empty or unset)`, { details: { token: from } });
  // A token is one line of visible ASCII (a JWT); anything else would corrupt the Authorization header.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new BrokerError('ERR_USAGE', `the token of ${from} is not one line of printable characters`, { details: { token: from } });
  return token;
}

async function readNamedFile(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new BrokerError('ERR_USAGE', `${option} ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause, details: { file } });
  }
}

/** Runs `use` with a client of the broker, closed afterwards whatever happens. */
export async function withBroker<T>(opts: RemoteOptions, use: (api: BrokerApiClient) => Promise<T>): Promise<T> {
  const api = await connectToBroker(opts);
  try {
    return await use(api);
  } finally {
    await api.close();
  }
}
