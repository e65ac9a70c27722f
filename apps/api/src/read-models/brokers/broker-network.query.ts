/**
 * `GET /partnerships/:id/brokers` over the broker-network read model, as of "now" (an input, so the
 * class is tested against real views without Nest). The broker signals (no recognised broker, no
 * brokering in 180 days) come from the one signal evaluator, over the facts the partnership-summary
 * read model keeps, so this view never disagrees with the others about them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { PartnershipNotFound } from '@trellis/domain';
import type { SqlExecutor } from '@trellis/event-store';
import { SQL_CLIENT, TRELLIS_CONFIG, type TrellisConfig } from '@trellis/platform';
import { readModelView } from '@trellis/projections';
import { isReadModelMissing, readModelUnavailable } from '../read-model-unavailable';
import {
  BROKER_NETWORK,
  PARTNERSHIP_SUMMARY,
  brokerNetworkView,
  evaluatePartnershipSignals,
  type BrokerNetworkDocument,
  type BrokerNetworkView,
  type SignalFacts,
  type SignalInstance,
} from '@trellis/projections';

/** The signals that belong on the broker network. */
export const BROKER_SIGNAL_CODES = ['NO_RECOGNISED_BROKER', 'NO_BROKERING_180_DAYS'] as const;

export type BrokerNetworkResponse = BrokerNetworkView & { signals: SignalInstance[] };

@Injectable()
export class BrokerNetworkQuery {
  private readonly view: string;
  private readonly summaryView: string;

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlExecutor,
    @Inject(TRELLIS_CONFIG) config: Pick<TrellisConfig, 'dbSchema'>,
  ) {
    this.view = readModelView(config.dbSchema, BROKER_NETWORK, 'docs');
    this.summaryView = readModelView(config.dbSchema, PARTNERSHIP_SUMMARY, 'docs');
  }

  /** The network of a partnership; PartnershipNotFound (404) when the read model does not know it. */
  async network(partnershipId: string, now: Date): Promise<BrokerNetworkResponse> {
    let rows: Array<{ doc: BrokerNetworkDocument }>;
    try {
      ({ rows } = await this.sql.query<{ doc: BrokerNetworkDocument }>(`SELECT doc FROM ${this.view} WHERE key = $1`, [partnershipId]));
    } catch (error) {
      throw readModelUnavailable(error, 'broker-network');
    }
    const doc = rows[0]?.doc;
    if (!doc || doc.status === 'none') throw new PartnershipNotFound(`Partnership ${partnershipId} does not exist`);
    return { ...brokerNetworkView(doc, now), signals: await this.brokerSignals(partnershipId, now) };
  }

  private async brokerSignals(partnershipId: string, now: Date): Promise<SignalInstance[]> {
    let facts: SignalFacts | undefined;
    try {
      const { rows } = await this.sql.query<{ facts: SignalFacts }>(`SELECT doc->'facts' AS facts FROM ${this.summaryView} WHERE key = $1`, [partnershipId]);
      facts = rows[0]?.facts;
    } catch (error) {
      // The summary read model not built yet: the network itself is still worth answering.
      if (!isReadModelMissing(error)) throw error;
    }
    if (!facts) return [];
    return evaluatePartnershipSignals(facts, now).filter((s) => (BROKER_SIGNAL_CODES as readonly string[]).includes(s.code));
  }
}
