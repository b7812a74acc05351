// The `fedbroker` command line: one sub-command per use case; exit codes in ./output.ts.
import { Command, CommanderError, Option } from 'commander';
import { isBrokerError } from '../core/errors.ts';
import { EXIT, parseOutputFormat, printJson, type OutputFormat } from './output.ts';
import { validateCommand } from './validate.ts';

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
    .action(async (spec: string, opts: { output: OutputFormat }) => setExitCode(await validateCommand(spec, opts.output)));
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
  if (json) printJson({ error: { code, message } });
  else console.error(`fedbroker: ${message} [${code}]`);
  return code === 'ERR_SPEC_FILE' ? EXIT.USAGE : EXIT.FAILED;
}
