/**
 * `trellis audit …`: export a partnership's history and verify hash chains — against a running
 * Trellis over HTTP, or fully offline from an export file (nothing but this file and the CLI needed).
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { parseExport, verifyExport } from '@trellis/event-store';
import { TrellisHttpClient } from '../http-client';

export function registerAuditCommands(program: Command, out: (line: string) => void): void {
  const audit = program.command('audit').description('export and verify tamper-evident partnership history');

  audit
    .command('export <partnershipId>')
    .description('stream the full history (every envelope, as stored) to a file or stdout')
    .option('-f, --format <format>', 'ndjson or csv', 'ndjson')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (partnershipId: string, opts: { format: string; out?: string }) => {
      if (opts.format !== 'ndjson' && opts.format !== 'csv') throw new Error('--format must be ndjson or csv');
      const client = TrellisHttpClient.fromEnv();
      const res = await client.raw(`/partnerships/${encodeURIComponent(partnershipId)}/history`, {
        Accept: opts.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      });
      const target = opts.out ? createWriteStream(opts.out) : process.stdout;
      await pipeline(Readable.fromWeb(res.body as never), target, { end: Boolean(opts.out) });
      if (opts.out) out(`exported ${partnershipId} to ${opts.out}`);
    });

  audit
    .command('verify [partnershipId]')
    .description('ask the server to recompute a partnership’s hash chain, or with --all every stream’s')
    .option('--all', 'verify every stream of the log (partnerships, reminders, compliance) and print a summary')
    .action(async (partnershipId: string | undefined, opts: { all?: boolean }) => {
      if (opts.all === true && partnershipId !== undefined) throw new Error('give a partnership id or --all, not both');
      if (opts.all === true) return verifyAll(out);
      if (partnershipId === undefined) throw new Error('give a partnership id, or --all');
      const result = await TrellisHttpClient.fromEnv().json<{ valid: boolean; checkedEvents: number; headHash: string; firstInvalidRevision?: string; reason?: string }>(
        `/partnerships/${encodeURIComponent(partnershipId)}/verify`,
      );
      out(
        result.valid
          ? `VALID  ${partnershipId}: ${result.checkedEvents} events, head ${result.headHash}`
          : `BROKEN ${partnershipId}: first invalid revision ${result.firstInvalidRevision} (${result.reason ?? 'hash mismatch'}) after ${result.checkedEvents} valid events`,
      );
      if (!result.valid) process.exitCode = 2;
    });

  audit
    .command('verify-file <file>')
    .description('verify an NDJSON or CSV export offline, without a server')
    .option('-f, --format <format>', 'ndjson or csv (default: from the file extension)')
    .action(async (file: string, opts: { format?: string }) => {
      const format = opts.format ?? (file.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson');
      if (format !== 'ndjson' && format !== 'csv') throw new Error('--format must be ndjson or csv');
      const result = await verifyExport(parseExport(readFileSync(file, 'utf8'), format));
      for (const s of result.streams) {
        out(
          s.valid
            ? `VALID  ${s.streamId}: ${s.checkedEvents} events, head ${s.headHash}`
            : `BROKEN ${s.streamId}: first invalid revision ${s.firstInvalidRevision} (${s.reason}) after ${s.checkedEvents} valid events`,
        );
      }
      if (result.streams.length === 0) out('no events in the file');
      if (!result.valid) process.exitCode = 2;
    });
}

interface LogVerification {
  valid: boolean;
  streamsChecked: number;
  eventsChecked: number;
  validStreams: number;
  brokenStreams: number;
  through: string;
  broken: Array<{ streamId: string; checkedEvents: number; firstInvalidRevision?: string; reason?: string }>;
  brokenTruncated: boolean;
}

/** `audit verify --all`: the server walks the whole log (GET /audit/verify); exit code 2 when anything is broken. */
async function verifyAll(out: (line: string) => void): Promise<void> {
  const r = await TrellisHttpClient.fromEnv().json<LogVerification>('/audit/verify');
  out(`checked ${r.streamsChecked} streams, ${r.eventsChecked} events (log position ${r.through}): ${r.validStreams} valid, ${r.brokenStreams} broken`);
  for (const s of r.broken) {
    out(`BROKEN ${s.streamId}: first invalid revision ${s.firstInvalidRevision} (${s.reason ?? 'hash mismatch'}) after ${s.checkedEvents} valid events`);
  }
  if (r.brokenTruncated) out(`… and ${r.brokenStreams - r.broken.length} more broken streams`);
  if (!r.valid) process.exitCode = 2;
}
