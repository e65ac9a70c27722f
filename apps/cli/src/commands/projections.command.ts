/**
 * `trellis projections …`: list projections with their lag, show one, and rebuild one blue/green —
 * with `--follow`, a live progress bar until the swap (or the cancellation).
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { TrellisHttpClient } from '../http-client';

interface ProjectionStatus {
  name: string;
  codeVersion: number;
  version: number;
  generation: number;
  status: string;
  checkpoint: string;
  head: string;
  lag: string;
  lastBatchLagMs: number | null;
  lastError: string | null;
  rebuild: null | { jobId: string; generation: number; position: string; head: string | null; eventsPerSecond: number | null; etaSeconds: number | null; percent: number | null; cancelRequested: boolean };
}

export interface ProjectionsCommandOptions {
  /** Poll interval of `--follow` (ms). */
  readonly pollMs?: number;
  /** Progress bar output (default stderr); tests pass a sink. */
  readonly progressStream?: NodeJS.WritableStream;
}

export function registerProjectionCommands(program: Command, out: (line: string) => void, options: ProjectionsCommandOptions = {}): void {
  const projections = program.command('projections').description('read models: status, lag and blue/green rebuilds');

  projections
    .command('list')
    .description('every projection with its version, status, checkpoint and lag')
    .action(async () => {
      const { projections: list } = await TrellisHttpClient.fromEnv().json<{ projections: ProjectionStatus[] }>('/admin/projections');
      out(row(['NAME', 'VERSION', 'STATUS', 'CHECKPOINT', 'HEAD', 'LAG', 'REBUILD']));
      for (const p of list) {
        out(row([p.name, versionOf(p), p.status, p.checkpoint, p.head, p.lag, p.rebuild ? `${p.rebuild.percent ?? 0}%` : '-']));
      }
    });

  projections
    .command('status <name>')
    .description('one projection in detail, with a rebuild’s progress')
    .action(async (name: string) => {
      const p = await TrellisHttpClient.fromEnv().json<ProjectionStatus>(`/admin/projections/${encodeURIComponent(name)}`);
      out(`${p.name}  version ${versionOf(p)}  generation ${p.generation}  ${p.status}`);
      out(`checkpoint ${p.checkpoint} of ${p.head} (lag ${p.lag}${p.lastBatchLagMs === null ? '' : `, last batch visible ${p.lastBatchLagMs} ms after recording`})`);
      if (p.lastError) out(`last error: ${p.lastError}`);
      if (p.rebuild) out(`rebuilding: ${describeRebuild(p.rebuild)}`);
    });

  projections
    .command('rebuild <name>')
    .description('rebuild blue/green while the live version keeps serving')
    .option('--follow', 'show progress until the swap')
    .option('--reason <text>', 'recorded with the rebuild')
    .action(async (name: string, opts: { follow?: boolean; reason?: string }) => {
      const client = TrellisHttpClient.fromEnv();
      const { jobId } = await client.send<{ jobId: string }>('POST', `/admin/projections/${encodeURIComponent(name)}/rebuild`, opts.reason ? { reason: opts.reason } : {});
      out(`rebuild of ${name} started: job ${jobId}`);
      if (!opts.follow) return;
      const outcome = await follow(client, name, jobId, options);
      out(outcome === 'done' ? `rebuild of ${name} done: swapped to the new generation` : `rebuild of ${name} ${outcome}`);
      if (outcome !== 'done') process.exitCode = 3;
    });

  projections
    .command('cancel <name>')
    .description('cancel the rebuild in flight')
    .action(async (name: string) => {
      const { jobId } = await TrellisHttpClient.fromEnv().send<{ jobId: string }>('POST', `/admin/projections/${encodeURIComponent(name)}/rebuild/cancel`, {});
      out(`cancellation of ${jobId} requested`);
    });
}

type FollowOutcome = 'done' | 'cancelled' | 'failed';

async function follow(client: TrellisHttpClient, name: string, jobId: string, options: ProjectionsCommandOptions): Promise<FollowOutcome> {
  const bar = new SingleBar(
    { format: `${name} [{bar}] {percentage}% | {value}/{total} positions | {eps} ev/s | ETA {eta_text}`, hideCursor: true, stream: options.progressStream ?? process.stderr, noTTYOutput: true, notTTYSchedule: 1000 },
  );
  let started = false;
  let generationBefore: number | undefined;
  try {
    for (;;) {
      const p = await client.json<ProjectionStatus>(`/admin/projections/${encodeURIComponent(name)}`);
      if (p.rebuild?.jobId === jobId) generationBefore ??= p.rebuild.generation - 1;
      if (!p.rebuild || p.rebuild.jobId !== jobId) {
        // The claim is gone. A swap moved the live generation on; a failure left its error; a
        // cancellation left the live generation as it was.
        if (generationBefore === undefined || p.generation > generationBefore) {
          if (started) bar.update(bar.getTotal());
          return 'done';
        }
        return p.lastError?.startsWith('rebuild failed') ? 'failed' : 'cancelled';
      }
      const head = Number(p.rebuild.head ?? p.head);
      const position = Number(p.rebuild.position);
      const payload = { eps: p.rebuild.eventsPerSecond ?? 0, eta_text: p.rebuild.etaSeconds === null ? '?' : `${p.rebuild.etaSeconds}s` };
      if (!started) {
        bar.start(Math.max(head, 1), position, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(head, 1));
        bar.update(position, payload);
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
  } finally {
    if (started) bar.stop();
  }
}

const versionOf = (p: ProjectionStatus) => (p.version === p.codeVersion ? String(p.version) : `${p.version}→${p.codeVersion}`);
const row = (cells: string[]) => cells.map((c, i) => c.padEnd([24, 9, 11, 12, 12, 8, 8][i] ?? 10)).join(' ').trimEnd();
const describeRebuild = (r: NonNullable<ProjectionStatus['rebuild']>) =>
  `job ${r.jobId}, position ${r.position} of ${r.head ?? '?'} (${r.percent ?? 0}%), ${r.eventsPerSecond ?? 0} events/s, ETA ${r.etaSeconds ?? '?'} s${r.cancelRequested ? ', cancellation requested' : ''}`;
