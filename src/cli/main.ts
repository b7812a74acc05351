// The `fedbroker` command line: one sub-command per use case; exit codes in ./output.ts.
import { Command, CommanderError, Option } from 'commander';
import { BrokerError, isBrokerError } from '../core/errors.ts';
import { EXIT, exitCodeForError, parseOutputFormat, printJson, wantsJson, type OutputFormat } from './output.ts';
import type { AuditOptions } from './audit-command.ts';
import type { ApplyOptions, PlanOptions } from './federation-commands.ts';
import type { LogoutOptions } from './logout-commands.ts';
import type { ServeOptions } from './serve.ts';
import { addRemoteOptions, remoteServer, type RemoteOptions } from './remote/options.ts';

// Command modules load on use, so `validate` never loads the adapters of systems it does not call.
const federationCommands = () => import('./federation-commands.ts');
const logoutCommands = () => import('./logout-commands.ts');
// --server (or $FEDBROKER_SERVER): the same commands against a running broker's admin API.
const remoteFederation = () => import('./remote/federation.ts');
const remoteOperations = () => import('./remote/operations.ts');

/** A positional argument that only the local command needs: missing, it is commander's own usage error. */
function required<T>(command: Command, name: string, value: T | undefined): T {
  if (value === undefined) command.error(`error: missing required argument '${name}'`, { code: 'commander.missingArgument', exitCode: 1 });
  return value as T;
}

const outputOption = () => new Option('-o, --output <format>', 'output format: human or json').default('human').argParser(parseOutputFormat);

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('fedbroker')
    .description('SCS Federation Broker: validate, plan and apply a federation of Sovereign Cloud Stack clouds')
    .exitOverride()
    .showHelpAfterError();
  addRemoteOptions(program.command('validate')
    .description('check a federation spec; report every problem with its path and line')
    .argument('<spec>', 'federation spec file (YAML)')
    .addOption(outputOption()))
    .action(async (spec: string, opts: { output: OutputFormat } & RemoteOptions) => setExitCode(remoteServer(opts)
      ? await (await remoteFederation()).validateRemote(spec, opts)
      : await (await import('./validate.ts')).validateCommand(spec, opts.output)));
  program.command('migrate')
    .description('convert a spec of the previous spec version to the current one: printed, or written in place with --write (comments and order kept)')
    .argument('<spec>', 'federation spec file (YAML)')
    .option('--write', 'rewrite the file in place instead of printing it')
    .action(async (spec: string, opts: { write?: boolean }) => setExitCode(await (await import('./migrate-command.ts')).migrateCommand(spec, opts)));
  addRemoteOptions(program.command('plan')
    .description('show what apply would change in every cloud (dry run); with --server the broker keeps the plan under the plan id it prints')
    .argument('<spec>', 'federation spec file (YAML)')
    .addOption(outputOption())
    .option('--detailed-exitcode', 'exit 4 when the plan has changes, 0 when it is empty'))
    .action(async (spec: string, opts: PlanOptions & RemoteOptions) => setExitCode(remoteServer(opts)
      ? await (await remoteFederation()).planRemote(spec, opts)
      : await (await federationCommands()).planCommand(spec, opts)));
  addRemoteOptions(program.command('apply')
    .description('make every cloud match the spec: shows the plan, then applies it in order (idempotent, resumable)')
    .argument('[spec]', 'federation spec file (YAML); with --server, or --plan-id instead')
    .addOption(outputOption())
    .option('-y, --yes', 'apply without asking')
    .option('--plan-id <id>', 'with --server: apply exactly this plan the broker keeps (from plan --server)'))
    .action(async (spec: string | undefined, opts: ApplyOptions & RemoteOptions & { planId?: string }, command: Command) => {
      if (remoteServer(opts)) return setExitCode(await (await remoteFederation()).applyRemote(spec, opts));
      if (opts.planId !== undefined) throw new BrokerError('ERR_USAGE', '--plan-id needs --server: plans are kept by a running broker', { details: { option: '--plan-id' } });
      return setExitCode(await (await federationCommands()).applyCommand(required(command, 'spec', spec), opts));
    });
  addRemoteOptions(program.command('status')
    .description('conditions per cloud, read live from the systems')
    .argument('[spec]', 'federation spec file (YAML); not needed with --server (the broker\'s current spec)')
    .addOption(outputOption())
    .option('--cloud <alias>', 'only this cloud\'s conditions'))
    .action(async (spec: string | undefined, opts: { output: OutputFormat; cloud?: string } & RemoteOptions, command: Command) => setExitCode(remoteServer(opts)
      ? await (await remoteFederation()).statusRemote(opts)
      : await (await federationCommands()).statusCommand(required(command, 'spec', spec), opts)));
  addRemoteOptions(program.command('sync')
    .description('role sync: pre-provision and deprovision home users in every partner realm and Keystone (only what the broker owns)')
    .argument('[spec]', 'federation spec file (YAML); not needed with --server')
    .addOption(outputOption())
    .option('--cloud <alias...>', 'sync only these partner clouds')
    .option('--dry-run', 'show the changes, write nothing')
    .option('--confirm', 'run even when the brake finds more removals than the spec allows')
    .option('--redis <url>', 'Redis URL of the per-cloud sync leases (default: $FEDBROKER_REDIS_URL); not needed with --dry-run'))
    .action(async (spec: string | undefined, opts: { output: OutputFormat; cloud?: string[]; dryRun?: boolean; confirm?: boolean; redis?: string } & RemoteOptions, command: Command) =>
      setExitCode(remoteServer(opts)
        ? await (await remoteOperations()).syncRemote(opts)
        : await (await import('./sync-command.ts')).syncCommand(required(command, 'spec', spec), opts)));
  addRemoteOptions(program.command('explain')
    .description('what a person gets in every partner cloud, and why (Keystone rule, Kubernetes binding)')
    .argument('[spec]', 'federation spec file (YAML); not needed with --server (then: explain <who> --server URL)')
    .argument('[who]', '<home cloud>:<username>, e.g. cloud-a:alice')
    .option('--claims <file>', 'explain the claims of a partner realm access token (JSON) instead')
    .addOption(outputOption()))
    .action(async (spec: string | undefined, who: string | undefined, opts: { output: OutputFormat; claims?: string } & RemoteOptions, command: Command) =>
      setExitCode(remoteServer(opts)
        ? await (await remoteFederation()).explainRemote(spec, who, opts)
        : await (await import('./explain-command.ts')).explainCommand(required(command, 'spec', spec), who, opts)));
  program.command('rotate-secrets')
    .description('new secrets for the broker\'s home clients fed-<partner>, written into the partner identity providers, without a failed login')
    .argument('<spec>', 'federation spec file (YAML)')
    .option('--home <cloud>', 'only the clients in this home cloud')
    .option('--partner <cloud>', 'only the clients for this partner cloud')
    .addOption(outputOption())
    .action(async (spec: string, opts: { output: OutputFormat; home?: string; partner?: string }) =>
      setExitCode(await (await import('./rotate-secrets-command.ts')).rotateSecretsCommand(spec, opts)));
  const logout = addRemoteOptions(program.command('logout')
    .description('global logout of a federated subject: end their sessions in every realm and revoke their Keystone tokens')
    .argument('[spec]', 'federation spec file (YAML); not needed with --server (then: logout <who> --server URL)')
    .argument('[who]', '<home cloud>:<username>')
    .addOption(outputOption())
    .option('--redis <url>', 'Redis URL (default: $FEDBROKER_REDIS_URL)')
    .option('--wait <seconds>', 'wait up to this long for the delivery report (a running `serve` delivers)')
    .option('--cloud <cloud>', 'end her sessions in this cloud only (its realm and Keystone), not everywhere'))
    .action(async (spec: string | undefined, who: string | undefined, opts: LogoutOptions & RemoteOptions, command: Command) => setExitCode(remoteServer(opts)
      ? await (await remoteOperations()).logoutRemote(spec, who, opts)
      : await (await logoutCommands()).logoutCommand(required(command, 'spec', spec), required(command, 'who', who), opts)));
  addRemoteOptions(logout.command('status')
    .description('the delivery report of a logout event')
    .argument('<id>', 'logout event id')
    .addOption(outputOption())
    .option('--redis <url>', 'Redis URL (default: $FEDBROKER_REDIS_URL)'))
    // --redis, --output and the --server options may also land on the parent `logout` command: read them from both.
    .action(async (id: string, _opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{ output: OutputFormat; redis?: string } & RemoteOptions>();
      setExitCode(remoteServer(opts) ? await (await remoteOperations()).logoutStatusRemote(id, opts) : await (await logoutCommands()).logoutStatusCommand(id, opts));
    });
  addRemoteOptions(program.command('audit')
    .description('the durable audit trail (logouts, deliveries, sync changes, admin API calls), the oldest first')
    .option('--since <time>', 'only records from this time (2026-12-01T10:00:00Z) or this long ago (90s, 30m, 12h, 7d)')
    .option('--cloud <alias>', 'only records that touched this cloud')
    .option('--correlation-id <id>', 'only one operation (a logout\'s event id, an API request id, a sync run id)')
    .option('--limit <n>', 'at most this many records (default 1000)')
    .addOption(outputOption())
    .option('--redis <url>', 'Redis URL (default: $FEDBROKER_REDIS_URL)'))
    .action(async (opts: AuditOptions & RemoteOptions) => setExitCode(remoteServer(opts)
      ? await (await remoteOperations()).auditRemote(opts)
      : await (await import('./audit-command.ts')).auditCommand(opts)));
  const remoteRevisions = () => import('./remote/revisions.ts');
  type RevisionsOptions = { output: OutputFormat; limit?: string; before?: string } & RemoteOptions;
  const revisions = addRemoteOptions(program.command('revisions')
    .description('spec revisions of a running broker in API mode, the newest first (needs --server)')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--before <number>', 'only revisions older than this one')
    .addOption(outputOption()))
    .action(async (opts: RevisionsOptions) => setExitCode(await (await remoteRevisions()).revisionsRemote(opts)));
  // --output and the --server options may also land on the parent command: read them from both.
  addRemoteOptions(revisions.command('show')
    .description('one revision: author, time, origin, apply outcome and its diff')
    .argument('<number>', 'revision number')
    .addOption(outputOption()))
    .action(async (n: string, _opts: unknown, command: Command) => setExitCode(await (await remoteRevisions()).revisionShowRemote(n, command.optsWithGlobals<RevisionsOptions>())));
  addRemoteOptions(revisions.command('rollback')
    .description('plan the spec of revision <number> again; `apply --plan-id` applies it as a new revision')
    .argument('<number>', 'revision number')
    .addOption(outputOption()))
    .action(async (n: string, _opts: unknown, command: Command) => setExitCode(await (await remoteRevisions()).rollbackRemote(n, command.optsWithGlobals<RevisionsOptions>())));
  const trust = program.command('trust')
    .description('trust proposals of a running broker in API mode: the partner proposes home → partner, the home accepts (needs --server)');
  addRemoteOptions(trust.command('propose')
    .description('propose trust <home> → <partner> (users of home may log into partner)')
    .argument('<home>', 'home cloud').argument('<partner>', 'partner cloud')
    .addOption(outputOption()))
    .action(async (home: string, partner: string, opts: RevisionsOptions) => setExitCode(await (await remoteRevisions()).trustProposeRemote(home, partner, opts)));
  addRemoteOptions(trust.command('list')
    .description('the proposals, the oldest first')
    .addOption(outputOption()))
    .action(async (opts: RevisionsOptions) => setExitCode(await (await remoteRevisions()).trustListRemote(opts)));
  addRemoteOptions(trust.command('accept')
    .description('accept a proposal: prints the plan of the spec with the edge; `apply --plan-id` applies it')
    .argument('<id>', 'proposal id')
    .addOption(outputOption()))
    .action(async (id: string, opts: RevisionsOptions) => setExitCode(await (await remoteRevisions()).trustAcceptRemote(id, opts)));
  addRemoteOptions(trust.command('withdraw')
    .description('end a pending proposal (either side)')
    .argument('<id>', 'proposal id')
    .addOption(outputOption()))
    .action(async (id: string, opts: RevisionsOptions) => setExitCode(await (await remoteRevisions()).trustWithdrawRemote(id, opts)));
  program.command('export')
    .description('the spec revisions (API mode) and the durable audit trail as one file (JSON lines), for backup or a move to another Redis')
    .option('--file <file>', 'write the export here (mode 0600) instead of stdout')
    .addOption(outputOption())
    .option('--redis <url>', 'Redis URL (default: $FEDBROKER_REDIS_URL)')
    .action(async (opts: { file?: string; output: OutputFormat; redis?: string }) => setExitCode(await (await import('./backup-commands.ts')).exportCommand(opts)));
  program.command('import')
    .description('load an export into a Redis without spec revisions: every line is checked first, then it is written whole')
    .argument('<file>', 'an export file of fedbroker export')
    .option('--audit-only', 'import the audit records only (after an import whose audit step failed)')
    .addOption(outputOption())
    .option('--redis <url>', 'Redis URL (default: $FEDBROKER_REDIS_URL)')
    .action(async (file: string, opts: { auditOnly?: boolean; output: OutputFormat; redis?: string }) => setExitCode(await (await import('./backup-commands.ts')).importCommand(file, opts)));
  const render = program.command('render')
    .description('print configuration the broker renders, for delivery by other tooling');
  render.command('horizon')
    .description('a cloud\'s Horizon WebSSO settings (a local_settings.d snippet): federated login, Sign Out that ends the realm session')
    .argument('<spec>', 'federation spec file (YAML)')
    .requiredOption('--cloud <alias>', 'the cloud whose Horizon it is (clouds[].keystone.dashboard in the spec)')
    .action(async (spec: string, opts: { cloud: string }) => setExitCode(await (await import('./render-command.ts')).renderWebSsoCommand('horizon', spec, opts.cloud)));
  render.command('keystone-apache')
    .description('mod_auth_openidc directives for a cloud\'s Keystone WebSSO routes (inside Keystone\'s VirtualHost)')
    .argument('<spec>', 'federation spec file (YAML)')
    .requiredOption('--cloud <alias>', 'the cloud whose Keystone it is')
    .action(async (spec: string, opts: { cloud: string }) => setExitCode(await (await import('./render-command.ts')).renderWebSsoCommand('keystone-apache', spec, opts.cloud)));
  render.command('kubernetes')
    .description('a partner cluster\'s AuthenticationConfiguration, as apply writes it (GitOps, Cluster API)')
    .argument('<spec>', 'federation spec file (YAML)')
    .requiredOption('--cluster <name>', 'the cluster (its name in the spec)')
    .option('--cloud <alias>', 'the cloud of the cluster, when several clouds have one of that name')
    .option('--format <format>', 'authentication-config (default) or kubeadm-patch (a KubeadmControlPlane patch carrying it)')
    .action(async (spec: string, opts: { cluster: string; cloud?: string; format?: string }) =>
      setExitCode(await (await import('./render-command.ts')).renderKubernetesCommand(spec, opts)));
  program.command('serve')
    .description('run the broker: back-channel logout receiver, delivery workers, LOGOUT-event poller, role-sync job and admin-event poller, /healthz /readyz /metrics')
    .requiredOption('--spec <file>', 'federation spec file (YAML)')
    .option('--listen <host:port>', 'listen address (default: $FEDBROKER_LISTEN or 127.0.0.1:17443)')
    .option('--tls-cert <file>', 'TLS certificate (PEM) (default: $FEDBROKER_TLS_CERT)')
    .option('--tls-key <file>', 'TLS private key (PEM) (default: $FEDBROKER_TLS_KEY)')
    .option('--redis <url>', 'Redis URL (default: $FEDBROKER_REDIS_URL)')
    .option('--poll-interval <ms>', 'LOGOUT-event poll interval, 0 disables (default: $FEDBROKER_POLL_INTERVAL_MS or 1000)')
    .option('--sync-interval <ms>', 'role-sync job period, 0 disables (default: $FEDBROKER_SYNC_INTERVAL_MS or the spec\'s sync.intervalSeconds)')
    .option('--sync-event-interval <ms>', 'home admin-event poll interval of role sync (deprovisioning), 0 disables (default: $FEDBROKER_SYNC_EVENT_INTERVAL_MS or 1000)')
    .option('--rate-limit-source <rate:burst>', 'unauthenticated requests per second and burst per source address (IPv6: per /64) (default: $FEDBROKER_RATE_LIMIT_SOURCE or 200:400)')
    .option('--rate-limit-cloud <rate:burst>', 'unauthenticated requests per second and burst per cloud (default: $FEDBROKER_RATE_LIMIT_CLOUD or 500:1000)')
    .option('--shutdown-grace <ms>', 'on SIGTERM/SIGINT, how long to finish requests and deliveries under way before cutting them (default: $FEDBROKER_SHUTDOWN_GRACE_MS or 20000)')
    .option('--insecure-http', 'serve plain HTTP (TLS terminates in front); warns at start')
    .option('--insecure-unauthenticated-admin-api', 'mount the admin API without authentication; warns at start')
    .option('--spec-mode <mode>', 'gitops: the spec file is the only source, the API cannot change it; api: spec revisions in Redis, changed through the admin API, the file imported as revision 1 (default: $FEDBROKER_SPEC_MODE or gitops)')
    .option('--api-config <file>', 'mount the authenticated admin API /api/v1 with this configuration (issuers, audience, admin roles; docs/api.md) (default: $FEDBROKER_API_CONFIG)')
    .addOption(new Option('-o, --output <format>', 'format of a start-up error: human or json (the running broker logs JSON)').default('human').argParser(parseOutputFormat))
    .action(async (opts: ServeOptions) => setExitCode(await (await import('./serve.ts')).serveCommand(opts)));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram((code) => { exitCode = code; });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : reportUsageError(error, wantsJson(argv));
    return reportError(error, wantsJson(argv));
  }
  return exitCode;
}

/** Commander has told the person on stderr already; a JSON caller gets the same ERR_USAGE on stdout. */
function reportUsageError(error: CommanderError, json: boolean): number {
  if (json) printJson({ error: { code: 'ERR_USAGE', message: error.message.replace(/^error: /, ''), details: { reason: error.code } } });
  return EXIT.USAGE;
}

function reportError(error: unknown, json: boolean): number {
  const code = isBrokerError(error) ? error.code : 'ERR_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const details = isBrokerError(error) ? error.details : {};
  if (json) printJson({ error: { code, message, details } });
  else {
    const where = Object.entries(details).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}=${String(v)}`).join(', ');
    console.error(`fedbroker: ${message} [${code}]${where ? ` (${where})` : ''}`);
    if (!isBrokerError(error) && error instanceof Error && error.stack) console.error(error.stack);
  }
  return exitCodeForError(code);
}
