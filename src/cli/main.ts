// The `fedbroker` command line: one sub-command per use case; exit codes in ./output.ts.
import { Command, CommanderError, Option } from 'commander';
import { isBrokerError } from '../core/errors.ts';
import { EXIT, parseOutputFormat, printJson, type OutputFormat } from './output.ts';
import type { ApplyOptions, PlanOptions } from './federation-commands.ts';

// Command modules load on use, so `validate` never loads the adapters of systems it does not call.
const federationCommands = () => import('./federation-commands.ts');

const outputOption = () => new Option('-o, --output <format>', 'output format: human or json').default('human').argParser(parseOutputFormat);

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('fedbroker')
    .description('SCS Federation Broker: validate, plan and apply a federation of Sovereign Cloud Stack clouds')
    .exitOverride()
    .showHelpAfterError();
  program.command('validate')
    .description('check a federation spec; report every problem with its path and line')
    .argument('<spec>', 'federation spec file (YAML)')
    .addOption(outputOption())
    .action(async (spec: string, opts: { output: OutputFormat }) => setExitCode(await (await import('./validate.ts')).validateCommand(spec, opts.output)));
  program.command('plan')
    .description('show what apply would change in every cloud (dry run)')
    .argument('<spec>', 'federation spec file (YAML)')
    .addOption(outputOption())
    .option('--detailed-exitcode', 'exit 4 when the plan has changes, 0 when it is empty')
    .action(async (spec: string, opts: PlanOptions) => setExitCode(await (await federationCommands()).planCommand(spec, opts)));
  program.command('apply')
    .description('make every cloud match the spec: shows the plan, then applies it in order (idempotent, resumable)')
    .argument('<spec>', 'federation spec file (YAML)')
    .addOption(outputOption())
    .option('-y, --yes', 'apply without asking')
    .action(async (spec: string, opts: ApplyOptions) => setExitCode(await (await federationCommands()).applyCommand(spec, opts)));
  program.command('status')
    .description('conditions per cloud, read live from the systems')
    .argument('<spec>', 'federation spec file (YAML)')
    .addOption(outputOption())
    .action(async (spec: string, opts: { output: OutputFormat }) => setExitCode(await (await federationCommands()).statusCommand(spec, opts)));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram((code) => { exitCode = code; });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return reportError(error, argv.includes('json'));
  }
  return exitCode;
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
  return code === 'ERR_SPEC_FILE' || code === 'ERR_CONFIRMATION_REQUIRED' ? EXIT.USAGE : EXIT.FAILED;
}
