/**
 * AgreementsQuery against the real views of the agreements read model (mixed history: both seed
 * paths, an amended MOU, DSAs ended with and without certified disposal, back-dated transfers).
 */
import { serveReadModels, createTestSchema, type TestSchema } from '@trellis/projections/testing';

import { agreementsProjection } from '@trellis/projections';
import { AgreementsQuery } from './agreements.query';
import { AGREEMENTS_REGISTER_EXAMPLE } from './agreements.openapi';
import {
  CLOSED_PARTNERSHIP_ID,
  STATE_PARTNERSHIP_ID,
  TOOL_PARTNERSHIP_ID,
  mixedHistory,
} from '@trellis/projections/testing';

let db: TestSchema;
let query: AgreementsQuery;
const on = (date: string) => new Date(`${date}T09:00:00.000Z`);

beforeAll(async () => {
  db = await createTestSchema('agrq');
  await serveReadModels(db.sql, db.schema, [agreementsProjection], mixedHistory().log.events);
  query = new AgreementsQuery(db.sql, { dbSchema: db.schema });
});
afterAll(async () => db?.drop());

it('returns the register with days counted at the given now (the documented example is a real answer)', async () => {
  const view = await query.register(TOOL_PARTNERSHIP_ID, on('2025-11-20'));
  const surveys = view.dataSharingAgreements.find((d) => d.dsaId === 'dsa-valley-surveys')!;
  const example = AGREEMENTS_REGISTER_EXAMPLE.dataSharingAgreements[0]!;
  expect({ ...view, dataSharingAgreements: [{ ...surveys, transfers: surveys.transfers.map((t) => ({ ...t, eventId: example.transfers[0]!.eventId })) }] }).toEqual(
    AGREEMENTS_REGISTER_EXAMPLE,
  );
  expect(view.dataSharingAgreements.map((d) => d.transfers.map((t) => t.transferId))).toEqual([['xfer-1'], ['xfer-surveys']]);
});

it('flags overdue disposal only after the destruction deadline', async () => {
  const dueDay = await query.register(TOOL_PARTNERSHIP_ID, on('2025-10-31'));
  expect(dueDay.dataSharingAgreements[1]).toMatchObject({ dsaId: 'dsa-valley-surveys', daysUntilDestructionDue: 0, disposalOverdue: false, disposalDueSoon: true });
  const after = await query.register(TOOL_PARTNERSHIP_ID, on('2025-11-01'));
  expect(after.dataSharingAgreements[1]).toMatchObject({ daysUntilDestructionDue: -1, disposalOverdue: true });
  expect(after.dataSharingAgreements[0]).toMatchObject({ dsaId: 'dsa-valley-2024', disposal: { certified: true }, disposalOverdue: false });
});

it('counts the days to the expiry of an active DSA', async () => {
  const view = await query.register(STATE_PARTNERSHIP_ID, on('2026-03-02'));
  expect(view.partnershipStatus).toBe('paused');
  expect(view.agreement).toMatchObject({ agreementRef: 'MOU-RETENTION', termEnd: null, daysUntilTermEnd: null, termEnded: false });
  expect(view.dataSharingAgreements[0]).toMatchObject({ dsaId: 'dsa-retention', status: 'active', expiresOn: '2026-05-31', daysUntilExpiry: 90, expiringSoon: true, pastExpiry: false });
});

it('answers for closed partnerships (their obligations outlive them)', async () => {
  const view = await query.register(CLOSED_PARTNERSHIP_ID, on('2025-01-01'));
  expect(view).toMatchObject({ partnershipStatus: 'closed', agreement: { agreementRef: 'MOU-C' }, dataSharingAgreements: [] });
});

it('is 404 for a partnership the read model does not know', async () => {
  await expect(query.register('99999999-9999-4999-8999-999999999999', on('2025-01-01'))).rejects.toMatchObject({ code: 'PARTNERSHIP_NOT_FOUND', category: 'not_found' });
});

it('is 503 while the read model has not been built', async () => {
  const empty = new AgreementsQuery(db.sql, { dbSchema: 'public' });
  await expect(empty.register(TOOL_PARTNERSHIP_ID, on('2025-01-01'))).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
});
