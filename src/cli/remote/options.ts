// The options that point a command at a running broker's admin API instead of the systems
// (docs/api.md, "The CLI against a running broker"). Light on purpose: main.ts reads it for every
// command; the client itself (./connection.ts) loads only when a command goes remote.
import type { Command } from 'commander';

export interface RemoteOptions {
  /** The broker's base URL (https://broker.example:17443); default $FEDBROKER_SERVER. */
  readonly server?: string;
  /** A file holding the bearer token; default $FEDBROKER_TOKEN. Never a value on the command line. */
  readonly tokenFile?: string;
  /** CA bundle (PEM) for the broker's TLS certificate; default $FEDBROKER_SERVER_CA. */
  readonly caFile?: string;
  /** Allow an http:// server URL (warns on stderr). */
  readonly insecureHttp?: boolean;
}

export function addRemoteOptions(command: Command): Command {
  return command
    .option('--server <url>', 'talk to a running broker\'s admin API instead of the systems (default: $FEDBROKER_SERVER)')
    .option('--token-file <file>', 'file with the bearer token for --server (default: $FEDBROKER_TOKEN)')
    .option('--ca-file <pem>', 'CA bundle verifying the broker\'s TLS certificate (default: $FEDBROKER_SERVER_CA)')
    .option('--insecure-http', 'allow an http:// --server URL: token and spec travel unencrypted; warns');
}

/** The server the command talks to, or undefined: the command runs locally. */
export function remoteServer(opts: RemoteOptions): string | undefined {
  const server = opts.server ?? process.env['FEDBROKER_SERVER'];
  return server === undefined || server === '' ? undefined : server;
}
