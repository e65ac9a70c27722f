/**
 * `GET /workstreams` over the stalled-workstreams read model: open workstreams of listed
 * partnerships, most overdue first, with what blocks each. Reads only the view
 * `<schema>.rm_stalled_workstreams_docs` (never the log); "now" and the thresholds are inputs, so
 * the class is tested against real views without Nest.
 *
 * Order: by due date (`clockStartedOn + thresholdDays`), then by key; the cursor is the last item's
 * (dueOn, key). Filtering `stalled` happens in SQL with the same rule as `assessWorkstream`:
 * `NOT paused AND clockStartedOn + thresholdDays < today`.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { OpenPhase } from '@trellis/domain';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import type { SqlExecutor } from '@trellis/event-store';
import { readModelView } from '@trellis/projections';
import {
  STALLED_WORKSTREAMS,
  STALL_CLOCK_KINDS,
  STALL_CLOCK_POLICIES,
  assessWorkstream,
  type StallBlocker,
  type StallClockKind,
  type StallThresholds,
  type StalledWorkstreamDoc,
} from '@trellis/projections';
import { STALL_THRESHOLDS } from './stall-thresholds.config';
import { readModelUnavailable } from '../read-model-unavailable';

export interface StalledWorkstreamsFilter {
  /** Only workstreams over their threshold (never those of a paused partnership). */
  readonly stalled: boolean;
  readonly partnershipId?: string;
  /** Only these partnerships (organization scoping); absent means every partnership. */
  readonly within?: readonly string[];
  readonly phase?: OpenPhase;
  readonly limit: number;
  readonly after?: StalledWorkstreamsCursor;
}

export interface StalledWorkstreamsCursor {
  readonly dueOn: string;
  readonly key: string;
}

export interface StalledWorkstreamItem {
  partnershipId: string;
  partnershipName: string;
  partnershipStatus: string;
  workstreamId: string;
  title: string;
  phase: OpenPhase;
  openedAt: string | null;
  enteredAt: string | null;
  lastActivityAt: string | null;
  clock: StallClockKind;
  policy: string | null;
  thresholdDays: number;
  clockStartedOn: string;
  dueOn: string;
  pausedDays: number;
  elapsedDays: number;
  daysOverThreshold: number;
  stalled: boolean;
  paused: boolean;
  pausedSince: string | null;
  blockedBy: StallBlocker[];
}

export interface StalledWorkstreamsPage {
  asOf: string;
  items: StalledWorkstreamItem[];
  nextCursor: string | null;
}

@Injectable()
export class StalledWorkstreamsQuery {
  private readonly view: string;

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlExecutor,
    @Inject(TRELLIS_CONFIG) config: Pick<TrellisConfig, 'dbSchema'>,
    @Inject(STALL_THRESHOLDS) private readonly thresholds: StallThresholds,
  ) {
    this.view = readModelView(config.dbSchema, STALLED_WORKSTREAMS, 'docs');
  }

  async list(filter: StalledWorkstreamsFilter, now: Date): Promise<StalledWorkstreamsPage> {
    const today = now.toISOString().slice(0, 10);
    const rows = await this.select(filter, today);
    const more = rows.length > filter.limit;
    const page = more ? rows.slice(0, filter.limit) : rows;
    const last = page[page.length - 1];
    return {
      asOf: now.toISOString(),
      items: page.map((row) => this.item(row.doc, now)),
      nextCursor: more && last ? encodeStalledCursor({ dueOn: last.due_on, key: last.key }) : null,
    };
  }

  private async select(filter: StalledWorkstreamsFilter, today: string): Promise<Array<{ key: string; doc: StalledWorkstreamDoc; due_on: string }>> {
    const kinds = [...STALL_CLOCK_KINDS];
    try {
      const { rows } = await this.sql.query<{ key: string; doc: StalledWorkstreamDoc; due_on: string }>(
        `SELECT w.key, w.doc, (w.clock_starts_on + t.days)::text AS due_on
           FROM ${this.view} AS w
           JOIN unnest($1::text[], $2::int[]) AS t(kind, days) ON t.kind = w.clock_kind
          WHERE ($3::text IS NULL OR w.partnership_id = $3::text)
            AND ($4::text IS NULL OR w.phase = $4::text)
            AND (NOT $5::boolean OR (NOT w.paused AND w.clock_starts_on + t.days < $6::date))
            AND ($7::date IS NULL OR (w.clock_starts_on + t.days, w.key) > ($7::date, $8::text))
            AND ($10::text[] IS NULL OR w.partnership_id = ANY($10::text[]))
          ORDER BY w.clock_starts_on + t.days, w.key
          LIMIT $9`,
        [
          kinds,
          kinds.map((k) => this.thresholds[k]),
          filter.partnershipId ?? null,
          filter.phase ?? null,
          filter.stalled,
          today,
          filter.after?.dueOn ?? null,
          filter.after?.key ?? null,
          filter.limit + 1,
          filter.within ?? null,
        ],
      );
      return rows;
    } catch (error) {
      throw readModelUnavailable(error, 'stalled-workstreams');
    }
  }

  private item(doc: StalledWorkstreamDoc, now: Date): StalledWorkstreamItem {
    const w = doc.workstream;
    const a = assessWorkstream(doc, now, this.thresholds);
    return {
      partnershipId: doc.partnershipId,
      partnershipName: doc.partnershipName,
      partnershipStatus: doc.partnershipStatus,
      workstreamId: w.workstreamId,
      title: w.title,
      phase: w.phase as OpenPhase,
      openedAt: w.openedAt ?? null,
      enteredAt: w.enteredAt ?? null,
      lastActivityAt: w.lastActivityAt ?? null,
      clock: a.clockKind,
      policy: STALL_CLOCK_POLICIES[a.clockKind],
      thresholdDays: a.thresholdDays,
      clockStartedOn: a.clockStartedOn,
      dueOn: a.dueOn,
      pausedDays: a.pausedDays,
      elapsedDays: a.elapsedDays,
      daysOverThreshold: a.daysOverThreshold,
      stalled: a.stalled,
      paused: a.paused,
      pausedSince: a.pausedSince,
      blockedBy: [...a.blockedBy],
    };
  }
}

/** An opaque cursor: base64url of `[dueOn, key]`. */
export const encodeStalledCursor = (cursor: StalledWorkstreamsCursor): string =>
  Buffer.from(JSON.stringify([cursor.dueOn, cursor.key]), 'utf8').toString('base64url');

/** The cursor, or undefined when it is not one this API issued. */
export function decodeStalledCursor(raw: string): StalledWorkstreamsCursor | undefined {
  if (raw.length > 600 || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [dueOn, key] = value as unknown[];
    if (typeof dueOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(dueOn) || Number.isNaN(Date.parse(dueOn))) return undefined;
    if (typeof key !== 'string' || key.length === 0 || key.length > 300) return undefined;
    return { dueOn, key };
  } catch {
    return undefined;
  }
}
