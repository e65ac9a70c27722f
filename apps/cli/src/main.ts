/** Entry point of the `trellis` command (bin/trellis.js runs this file). */
import { CommanderError } from 'commander';
import { buildProgram } from './cli';

buildProgram()
  .exitOverride()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`trellis: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
