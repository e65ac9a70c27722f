/**
 * `trellis` — the admin command line. Run `trellis --help`. Commands that need a server read
 * TRELLIS_URL and TRELLIS_API_KEY; `audit verify-file` works offline.
 */
import { Command } from 'commander';
import { registerApiKeyCommands } from './commands/api-keys.command';
import { registerAuditCommands } from './commands/audit.command';
import { registerProjectionCommands, type ProjectionsCommandOptions } from './commands/projections.command';

export function buildProgram(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`), options: ProjectionsCommandOptions = {}): Command {
  const program = new Command('trellis').description('Trellis administration: projections and replay, audit exports and hash-chain verification, API keys').version('0.1.0');
  registerAuditCommands(program, out);
  registerProjectionCommands(program, out, options);
  registerApiKeyCommands(program, out);
  return program;
}

