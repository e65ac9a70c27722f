/**
 * `GET /partnerships/:id/agreements` over the agreements read model: the MOU or charter and every
 * data-sharing agreement with its transfers, as of "now" (an input, so the class is tested against
 * real views without Nest). Reads only the views `<schema>.rm_agreements_docs|transfers`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { PartnershipNotFound } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { readModelUnavailable } from '../read-model-unavailable';
import { agreementsRegisterView, readAgreementsRegister, type AgreementsRegisterView } from '@trellis/projections';

@Injectable()
export class AgreementsQuery {
  private readonly schema: string;

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlExecutor,
    @Inject(TRELLIS_CONFIG) config: Pick<TrellisConfig, 'dbSchema'>,
  ) {
    this.schema = config.dbSchema;
  }

  /** The register of a partnership; PartnershipNotFound (404) when the read model does not know it. */
  async register(partnershipId: string, now: Date): Promise<AgreementsRegisterView> {
    let source;
    try {
      source = await readAgreementsRegister(this.sql, this.schema, partnershipId);
    } catch (error) {
      throw readModelUnavailable(error, 'agreements');
    }
    if (!source) throw new PartnershipNotFound(`Partnership ${partnershipId} does not exist`);
    return agreementsRegisterView(source, now);
  }
}
