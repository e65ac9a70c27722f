/**
 * Read model "Agreements register" (DOMAIN.md; research §4.6), projection `agreements`.
 *
 * Tables (the API reads their views `<schema>.rm_agreements_<table>`):
 * - `docs` — one `AgreementsDocument` per partnership (key = partnershipId);
 * - `transfers` — one row per data transfer (`DataReceivedUnderAgreement`), append-only: the
 *   disclosure ledger is a record that must stay complete, so it is not capped inside a document.
 *
 * Per batch: one select and one upsert of the touched documents, one insert of the batch's transfers.
 */
import { documentProjection } from '../../core/document-projection';
import { partnershipIdOf } from '../../signals/event-access';
import { writeJsonRecords } from '../../core/json-records';
import type { ProjectionTable } from '../../core/projection';
import { evolveAgreementsDocument, initialAgreementsDocument, type AgreementsDocument } from './agreements.document';

export const AGREEMENTS = 'agreements';

export const AGREEMENTS_EVENT_TYPES = [
  'PartnershipProposed',
  'OrganizationJoined',
  'PartnershipFormalized',
  'PartnershipAgreementAmended',
  'DataSharingAgreementExecuted',
  'DataSharingAgreementEnded',
  'DataDisposalCertified',
  'DataReceivedUnderAgreement',
  'PartnershipStatusChanged',
  'PartnershipClosed',
  'PartnershipAbandoned',
] as const;



/** A row of the `transfers` table as the database returns it (dates as text). */
export interface DataTransferRow {
  readonly partnership_id: string;
  readonly transfer_id: string;
  readonly dsa_id: string;
  readonly workstream_id: string;
  readonly data_categories: readonly string[];
  readonly pii_included: boolean;
  readonly received_on: string;
  readonly recipient_organization_id: string | null;
  readonly event_id: string;
  readonly occurred_at: string;
  readonly recorded_at: string;
  readonly position: string;
}

const transfersTable: ProjectionTable = {
  name: 'transfers',
  create: (t, ix) => [
    `CREATE TABLE ${t} (
       partnership_id text NOT NULL,
       transfer_id text NOT NULL,
       dsa_id text NOT NULL,
       workstream_id text NOT NULL,
       data_categories text[] NOT NULL,
       pii_included boolean NOT NULL,
       received_on text NOT NULL,
       recipient_organization_id text,
       event_id text NOT NULL,
       occurred_at text NOT NULL,
       recorded_at text NOT NULL,
       position bigint NOT NULL,
       PRIMARY KEY (partnership_id, transfer_id)
     )`,
    `CREATE INDEX ${ix}_dsa ON ${t} (partnership_id, dsa_id, received_on)`,
  ],
};

export const agreementsProjection = documentProjection<AgreementsDocument>({
  name: AGREEMENTS,
  version: 1,
  eventTypes: AGREEMENTS_EVENT_TYPES,
  key: partnershipIdOf,
  initial: (key) => initialAgreementsDocument(key),
  evolve: (doc, e) => evolveAgreementsDocument(doc, e),
  extraTables: [transfersTable],

  async afterBatch(events, ctx) {
    const rows: Array<Record<string, unknown>> = [];
    for (const e of events) {
      if (e.type !== 'DataReceivedUnderAgreement') continue;
      const partnershipId = partnershipIdOf(e);
      const d = e.data as Record<string, unknown>;
      if (partnershipId === undefined || typeof d['transferId'] !== 'string' || typeof d['dsaId'] !== 'string') continue;
      const occurredAt = String(e.metadata['occurredAt'] ?? e.metadata['recordedAt'] ?? '');
      rows.push({
        partnership_id: partnershipId,
        transfer_id: d['transferId'],
        dsa_id: d['dsaId'],
        workstream_id: typeof d['workstreamId'] === 'string' ? d['workstreamId'] : '',
        data_categories: Array.isArray(d['dataCategories']) ? d['dataCategories'] : [],
        pii_included: d['piiIncluded'] === true,
        received_on: typeof d['receivedOn'] === 'string' ? d['receivedOn'] : occurredAt.slice(0, 10),
        recipient_organization_id: typeof d['recipientOrganizationId'] === 'string' ? d['recipientOrganizationId'] : null,
        event_id: e.eventId,
        occurred_at: occurredAt,
        recorded_at: String(e.metadata['recordedAt'] ?? occurredAt),
        position: e.position.toString(),
      });
    }
    if (rows.length === 0) return;
    // A transfer id is recorded once per partnership (the decider refuses duplicates); should one
    // come twice, the first stays, whatever the batching.
    await writeJsonRecords(
      ctx,
      `INSERT INTO ${ctx.table('transfers')}
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
         partnership_id text, transfer_id text, dsa_id text, workstream_id text, data_categories text[], pii_included boolean,
         received_on text, recipient_organization_id text, event_id text, occurred_at text, recorded_at text, position bigint)
       ON CONFLICT (partnership_id, transfer_id) DO NOTHING`,
      rows,
    );
  },
});
