/**
 * Reads the effectiveness read model (its stable view only) for `GET /partnerships/:id/effectiveness`.
 * Signals and time-based indicators are evaluated at `now`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { PartnershipNotFound } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { readModelView } from '@trellis/projections';
import { readModelUnavailable } from '../read-model-unavailable';
import { EFFECTIVENESS, effectivenessView, type EffectivenessDoc, type EffectivenessView } from '@trellis/projections';

@Injectable()
export class EffectivenessQueries {
  private readonly view: string;

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlExecutor,
    @Inject(TRELLIS_CONFIG) config: Pick<TrellisConfig, 'dbSchema'>,
  ) {
    this.view = readModelView(config.dbSchema, EFFECTIVENESS, 'docs');
  }

  /** Throws `PartnershipNotFound` (404) when the read model holds no such partnership. */
  async get(partnershipId: string, now: Date): Promise<EffectivenessView> {
    let rows: Array<{ doc: EffectivenessDoc; position: string }>;
    try {
      ({ rows } = await this.sql.query<{ doc: EffectivenessDoc; position: string }>(`SELECT doc, position::text AS position FROM ${this.view} WHERE key = $1`, [partnershipId]));
    } catch (error) {
      throw readModelUnavailable(error, EFFECTIVENESS);
    }
    const row = rows[0];
    if (!row) throw new PartnershipNotFound(`Partnership ${partnershipId} is not in the effectiveness read model`);
    return effectivenessView(row.doc, row.position, now);
  }
}
