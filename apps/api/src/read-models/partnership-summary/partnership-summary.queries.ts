/**
 * Reads the partnership-summary read model (its stable view only) for `GET /partnerships`:
 * keyset pages in creation order (the proposal's position), so partnerships added while a client
 * pages appear at the end and never shift or repeat earlier items. Signals are evaluated at `now`.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { SqlExecutor } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { readModelView } from '@trellis/projections';
import { readModelUnavailable } from '../read-model-unavailable';
import { encodeListCursor, type PartnershipListQuery } from './partnership-summary.params';
import { PARTNERSHIP_SUMMARY, partnershipSummaryItem, type PartnershipSummaryDoc, type PartnershipSummaryItem } from '@trellis/projections';

export interface PartnershipSummaryPage {
  readonly items: readonly PartnershipSummaryItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

@Injectable()
export class PartnershipSummaryQueries {
  private readonly view: string;

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlExecutor,
    @Inject(TRELLIS_CONFIG) config: Pick<TrellisConfig, 'dbSchema'>,
  ) {
    this.view = readModelView(config.dbSchema, PARTNERSHIP_SUMMARY, 'docs');
  }

  /** `within`: only these partnership ids (organization scoping); undefined means every partnership. */
  async list(query: PartnershipListQuery, now: Date, within?: readonly string[]): Promise<PartnershipSummaryPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.phase) where.push(`phases @> ${param([query.phase])}::text[]`);
    if (query.organizationId !== undefined) where.push(`organization_ids @> ${param([query.organizationId])}::text[]`);
    if (within !== undefined) where.push(`key = ANY(${param(within)}::text[])`);
    if (query.after !== undefined) where.push(`sort_key > ${param(query.after.toString())}::bigint`);
    const limit = param(query.limit + 1);
    let rows: Array<{ doc: PartnershipSummaryDoc; position: string; sort_key: string }>;
    try {
      ({ rows } = await this.sql.query<{ doc: PartnershipSummaryDoc; position: string; sort_key: string }>(
        // Qualified ORDER BY: the bigint column, not the text alias of the same name (which would
        // order "10561" before "9" and make the keyset pages skip partnerships).
        `SELECT s.doc, s.position::text AS position, s.sort_key::text AS sort_key FROM ${this.view} AS s
         ${where.length > 0 ? `WHERE ${where.map((w) => `s.${w}`).join(' AND ')}` : ''}
         ORDER BY s.sort_key LIMIT ${limit}`,
        params,
      ));
    } catch (error) {
      throw readModelUnavailable(error, PARTNERSHIP_SUMMARY);
    }
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((r) => partnershipSummaryItem(r.doc, r.position, now)),
      nextCursor: rows.length > query.limit ? encodeListCursor(page[page.length - 1]!.sort_key) : null,
    };
  }
}

