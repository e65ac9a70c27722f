/**
 * `GET /partnerships/:id/participation` over the participation read model. Reads only the views
 * `<schema>.rm_participation_partnerships|phases`, through `readParticipation`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { PartnershipNotFound } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { PARTICIPATION, readParticipation, type ParticipationView } from '@trellis/projections';
import { readModelUnavailable } from '../read-model-unavailable';

@Injectable()
export class ParticipationQuery {
  private readonly schema: string;

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlExecutor,
    @Inject(TRELLIS_CONFIG) config: Pick<TrellisConfig, 'dbSchema'>,
  ) {
    this.schema = config.dbSchema;
  }

  /** The ledger of a partnership; PartnershipNotFound (404) when the read model does not know it. */
  async ledger(partnershipId: string): Promise<ParticipationView> {
    let view: ParticipationView | undefined;
    try {
      view = await readParticipation(this.sql, this.schema, partnershipId);
    } catch (error) {
      throw readModelUnavailable(error, PARTICIPATION);
    }
    if (!view) throw new PartnershipNotFound(`Partnership ${partnershipId} is not in the participation read model`);
    return view;
  }
}
