/**
 * The people vault and erasure end to end (issue 6 §2), on PostgreSQL and on embedded PGlite: a
 * person registered, joined as a participant and named in every view (state, timeline, history and
 * its exports); then erased — after which no table holds the name or the e-mail (every column of
 * every table of the schema, event store included, dumped as text, bytea as hex and escape), the
 * key row is gone so not even the master key decrypts what is left, every view shows
 * "erased participant (role, organization type)", and every hash chain (the partnership's, the
 * compliance stream's, offline exports) still verifies. Plus bad inputs, roles, tampering, and a
 * reminder e-mail that never reaches an erased person (real SMTP on loopback).
 */
import { randomBytes } from 'node:crypto';
import { EVENT_STORE, parseExport, verifyChain, verifyExport, type EventStore, type SqlExecutor } from '@trellis/event-store';
import { API_KEY_STORE, masterKeyFrom, PeopleVault, SQL_CLIENT, type ApiKeyStore } from '@trellis/platform';
import { SmtpSink } from '../../libs/reminders/src/testing/smtp-sink';
import { ApiClient } from '../support/api-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../support/webhook-receiver';

const MASTER_KEY = randomBytes(32);

const ANA = { displayName: 'Anaïs Quintero-Vallejo', email: 'anais.quintero@riverside-usd.example' };
const BO = { displayName: 'Bodhan Ferreira-Lund', email: 'bodhan.fl@uplands-lab.example' };
const ANA_LABEL = 'erased participant (practitioner/broker, school_district)';

/** Strings that must never be found once Ana is erased (and, for names, never in the clear at all). */
const secretsOf = (p: { displayName: string; email: string }) => [p.displayName, p.email, p.displayName.split(' ')[0]!, p.email.split('@')[0]!];

/**
 * Every column of every table of the schema as text: bytea both as hex and as escape text, all other
 * types cast to text. The event store's tables are in the same schema.
 */
async function dumpSchema(sql: SqlExecutor, schema: string): Promise<{ tables: string[]; text: string }> {
  const { rows: columns } = await sql.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = $1 AND t.table_type IN ('BASE TABLE', 'VIEW') ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const byTable = new Map<string, typeof columns>();
  for (const c of columns) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c]);
  const parts: string[] = [];
  for (const [table, cols] of byTable) {
    const select = cols.flatMap((c) =>
      c.data_type === 'bytea'
        ? [`encode("${c.column_name}", 'hex')`, `encode("${c.column_name}", 'escape')`]
        : [`"${c.column_name}"::text`],
    );
    const { rows } = await sql.query<Record<string, string | null>>(`SELECT ${select.map((s, i) => `${s} AS c${i}`).join(', ')} FROM ${schema}."${table}"`);
    for (const row of rows) parts.push(`${table}: ${Object.values(row).join(' | ')}`);
  }
  return { tables: [...byTable.keys()], text: parts.join('\n') };
}

/** Where a secret shows up: plain (case-insensitive), or as UTF-8 hex (a bytea holding it in the clear). */
function leaks(text: string, secrets: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((s) => lower.includes(s.toLowerCase()) || lower.includes(Buffer.from(s, 'utf8').toString('hex')));
}

describe.each(['postgres', 'embedded'] as const)('the people vault on %s', (store) => {
  let t: TestApp;
  let api: ApiClient;
  let sql: SqlExecutor;
  let events: EventStore;
  let keys: ApiKeyStore;
  let schema: string;
  let ana: string;
  let bo: string;
  let partnershipId: string;

  const complianceCount = async () => {
    let n = 0;
    for await (const _ of events.readStream('compliance', { raw: true })) n += 1;
    return n;
  };
  const peopleCount = async () => Number((await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${schema}.people`)).rows[0]!.n);
  const revision = async () => (await api.get(`/partnerships/${partnershipId}`)).body.revision as string;
  const keyFor = async (role: 'admin' | 'auditor' | 'integrator' | 'member', organizationId?: string) =>
    api.withKey((await keys.create({ name: `people-${role}-${organizationId ?? 'any'}`, role, ...(organizationId ? { organizationId } : {}) })).secret);
  const timelineEvent = async (type: string) =>
    eventually(async () => {
      const res = await api.get(`/partnerships/${partnershipId}/timeline?type=${type}`);
      return res.status === 200 && res.body.events.length > 0 ? res.body.events[0] : undefined;
    }, `the timeline shows ${type}`, 30_000);

  beforeAll(async () => {
    t = await startTestApp({ store, env: { RUN_WORKERS: 'true', PEOPLE_MASTER_KEY: MASTER_KEY.toString('base64') } });
    api = new ApiClient(t.url, t.adminKey);
    sql = t.app.get<SqlExecutor>(SQL_CLIENT);
    events = t.app.get<EventStore>(EVENT_STORE);
    keys = t.app.get<ApiKeyStore>(API_KEY_STORE);
    schema = t.config.dbSchema;
  }, 90_000);
  afterAll(async () => t?.close(), 30_000);

  describe('registered, joined and named in every view', () => {
    it('POST /people registers a person: 201 {personId} with Location; GET /people/:id reads them back', async () => {
      const res = await api.post('/people', { displayName: `  ${ANA.displayName} `, email: ANA.email });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ personId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
      expect(res.headers.get('location')).toBe(`/people/${res.body.personId}`);
      ana = res.body.personId;
      bo = (await api.post('/people', BO)).body.personId;
      expect((await api.get(`/people/${ana}`)).body).toEqual({ personId: ana, erased: false, ...ANA, createdAt: expect.any(String) });
    });

    it('JoinParticipant references the person; the state view shows each linked participant\'s name', async () => {
      partnershipId = (await api.post('/partnerships', { name: 'Riverside Literacy RPP', initiationMode: 'agency', focus: 'Early literacy' })).body.partnershipId;
      await api.commands(partnershipId, [
        ['JoinOrganization', { organizationId: 'org-riverside', name: 'Riverside USD', orgType: 'school_district', side: 'practice' }],
        ['JoinOrganization', { organizationId: 'org-uplands', name: 'Uplands Lab', orgType: 'research_organization', side: 'research' }],
        ['JoinParticipant', { participantId: 'p-ana', organizationId: 'org-riverside', roles: ['practitioner', 'broker'], personId: ana }],
        ['JoinParticipant', { participantId: 'p-bo', organizationId: 'org-uplands', roles: ['researcher'], personId: bo.toUpperCase() }],
        ['JoinParticipant', { participantId: 'p-cy', organizationId: 'org-uplands', roles: ['researcher'] }],
        ['OpenWorkstream', { workstreamId: 'ws-1', title: 'Reading routines', leadParticipantIds: ['p-ana', 'p-bo', 'p-cy'] }],
      ]);
      const { participants } = (await api.get(`/partnerships/${partnershipId}`)).body.state;
      expect(participants['p-ana']).toMatchObject({ personId: ana, displayName: ANA.displayName });
      expect(participants['p-bo']).toMatchObject({ displayName: BO.displayName });
      expect(participants['p-cy']).not.toHaveProperty('displayName');
      const asOf = await api.get(`/partnerships/${partnershipId}?asOf=${encodeURIComponent(new Date().toISOString())}`);
      expect(asOf.body.state.participants['p-ana'].displayName).toBe(ANA.displayName);
    });

    it('the timeline names the participants of each event (the read model itself holds ids only)', async () => {
      const opened = await timelineEvent('WorkstreamOpened');
      const byId = Object.fromEntries(opened.participants.map((p: any) => [p.participantId, p]));
      expect(byId['p-ana'].displayName).toBe(ANA.displayName);
      expect(byId['p-bo'].displayName).toBe(BO.displayName);
      expect(byId['p-cy']).not.toHaveProperty('displayName');
    });

    it('history pages and NDJSON / CSV exports carry the names beside the envelopes, and still verify offline', async () => {
      const page = (await api.get(`/partnerships/${partnershipId}/history`)).body;
      expect(page.people).toEqual({ 'p-ana': ANA.displayName, 'p-bo': BO.displayName });
      for (const e of page.events) expect(JSON.stringify(e)).not.toContain(ANA.displayName);

      const ndjson = await api.get(`/partnerships/${partnershipId}/history`, { Accept: 'application/x-ndjson' });
      const lines = ndjson.text.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.find((l) => l.type === 'WorkstreamOpened').people).toEqual({ 'p-ana': ANA.displayName, 'p-bo': BO.displayName });
      expect(lines.find((l) => l.type === 'PartnershipProposed')).not.toHaveProperty('people');
      expect(await verifyExport(parseExport(ndjson.text, 'ndjson'))).toMatchObject({ valid: true, streams: [{ checkedEvents: lines.length }] });

      const csv = await api.get(`/partnerships/${partnershipId}/history`, { Accept: 'text/csv' });
      expect(csv.text).toContain(ANA.displayName);
      expect(await verifyExport(parseExport(csv.text, 'csv'))).toMatchObject({ valid: true });
    });

    it('no table holds a name or an e-mail in the clear, not even before erasure', async () => {
      const { text } = await dumpSchema(sql, schema);
      expect(leaks(text, [...secretsOf(ANA), ...secretsOf(BO)])).toEqual([]);
    });
  });

  describe('erasure', () => {
    let hashesBefore: string;
    let erasure: any;

    beforeAll(async () => {
      hashesBefore = (await api.get(`/partnerships/${partnershipId}/verify`)).body.headHash;
    });

    it('POST /people/:id/erasure destroys the key and records PersonalDataErased on the compliance stream', async () => {
      const before = await complianceCount();
      const res = await api.post(`/people/${ana}/erasure`, { reason: 'data_subject_request' });
      expect(res.status).toBe(200);
      erasure = res.body;
      expect(erasure).toEqual({ personId: ana, erased: true, erasedAt: expect.any(String), reason: 'data_subject_request', eventId: expect.any(String) });
      expect(await complianceCount()).toBe(before + 1);
      const feed = (await api.get('/events?types=PersonalDataErased&limit=1000')).body.events;
      const recorded = feed.find((e: any) => e.eventId === erasure.eventId);
      expect(recorded).toMatchObject({ type: 'PersonalDataErased', streamId: 'compliance', data: { personId: ana, erasedAt: erasure.erasedAt, reason: 'data_subject_request' } });
      expect(JSON.stringify(recorded)).not.toMatch(/Ana|Quintero|riverside-usd/i);
    });

    it('is idempotent: a second erasure answers 200 with the same body and appends nothing', async () => {
      const before = await complianceCount();
      const again = await api.post(`/people/${ana}/erasure`, {});
      expect(again.status).toBe(200);
      expect(again.body).toEqual(erasure);
      expect(await complianceCount()).toBe(before);
      expect((await api.get(`/people/${ana}`)).body).toEqual({ personId: ana, erased: true, erasedAt: erasure.erasedAt, reason: 'data_subject_request', createdAt: expect.any(String) });
    });

    it('(a) the name and e-mail are in no table any more, and the key row is gone: not even the master key decrypts', async () => {
      const { tables, text } = await dumpSchema(sql, schema);
      expect(tables).toEqual(expect.arrayContaining(['people', 'people_keys', 'events', 'api_keys']));
      // The dump does see what is stored in the clear (the search would find a name there too).
      expect(leaks(text, ['Riverside Literacy RPP', 'Reading routines', ana])).toHaveLength(3);
      expect(leaks(text, secretsOf(ANA))).toEqual([]);
      expect((await sql.query(`SELECT * FROM ${schema}.people_keys WHERE person_id = $1`, [ana])).rows).toEqual([]);
      expect((await sql.query(`SELECT display_name_sealed, email_sealed FROM ${schema}.people WHERE person_id = $1`, [ana])).rows).toEqual([
        { display_name_sealed: null, email_sealed: null },
      ]);
      // A vault holding the master key itself finds nothing left to decrypt.
      const withMasterKey = new PeopleVault(t.app.get(SQL_CLIENT), schema, masterKeyFrom(MASTER_KEY), events);
      expect(await withMasterKey.find(ana)).toMatchObject({ status: 'erased' });
      expect(await withMasterKey.find(bo)).toMatchObject({ status: 'active', displayName: BO.displayName });
    });

    it('(b) every view shows "erased participant (roles, organization type)"', async () => {
      const { participants } = (await api.get(`/partnerships/${partnershipId}`)).body.state;
      expect(participants['p-ana'].displayName).toBe(ANA_LABEL);
      expect(participants['p-bo'].displayName).toBe(BO.displayName);
      const opened = await timelineEvent('WorkstreamOpened');
      expect(opened.participants.find((p: any) => p.participantId === 'p-ana').displayName).toBe(ANA_LABEL);
      expect((await api.get(`/partnerships/${partnershipId}/history`)).body.people['p-ana']).toBe(ANA_LABEL);
      // The participation ledger lists roles and counts, never participants: nothing to name there.
      const ledger = await eventually(async () => {
        const res = await api.get(`/partnerships/${partnershipId}/participation`);
        return res.status === 200 ? res : undefined;
      }, 'the participation ledger', 30_000);
      expect(leaks(ledger.text, [...secretsOf(ANA), 'p-ana'])).toEqual([]);
    });

    it('(c) exports after erasure hold no name, only the label', async () => {
      for (const accept of ['application/x-ndjson', 'text/csv', 'application/json']) {
        const res = await api.get(`/partnerships/${partnershipId}/history`, { Accept: accept });
        expect(leaks(res.text, secretsOf(ANA))).toEqual([]);
        expect(res.text).toContain(ANA_LABEL);
      }
    });

    it('(d) the partnership\'s chain, its exports offline and the compliance stream all still verify', async () => {
      const verify = (await api.get(`/partnerships/${partnershipId}/verify`)).body;
      expect(verify).toMatchObject({ valid: true, headHash: hashesBefore });
      for (const [accept, format] of [['application/x-ndjson', 'ndjson'], ['text/csv', 'csv']] as const) {
        const res = await api.get(`/partnerships/${partnershipId}/history`, { Accept: accept });
        const result = await verifyExport(parseExport(res.text, format));
        expect(result).toMatchObject({ valid: true });
        expect(result.streams[0]!.headHash).toBe(hashesBefore);
      }
      const compliance = await verifyChain(events.readStream('compliance', { raw: true }));
      expect(compliance).toMatchObject({ valid: true, checkedEvents: await complianceCount() });
    });

    it('read models keep following the log after a compliance event (which names no partnership)', async () => {
      await api.commands(partnershipId, [['JoinParticipant', { participantId: 'p-dee', organizationId: 'org-uplands', roles: ['researcher'], personId: bo }]]);
      const joined = await eventually(async () => {
        const res = await api.get(`/partnerships/${partnershipId}/timeline?type=ParticipantJoined&limit=10`);
        return res.body.events?.find((e: any) => e.participants.some((p: any) => p.participantId === 'p-dee'));
      }, 'the timeline after the erasure', 30_000);
      expect(joined.participants.find((p: any) => p.participantId === 'p-dee').displayName).toBe(BO.displayName);
    });
  });

  describe('(e) bad inputs are 4xx problems and change nothing', () => {
    it('registration: missing, blank or too long name; bad, missing or too long e-mail; extra or non-object bodies', async () => {
      const before = await peopleCount();
      const cases: Array<[unknown, string[]]> = [
        [{}, ['displayName', 'email']],
        [{ email: ANA.email }, ['displayName']],
        [{ displayName: '   ', email: ANA.email }, ['displayName']],
        [{ displayName: 'x'.repeat(201), email: ANA.email }, ['displayName']],
        [{ displayName: 42, email: ANA.email }, ['displayName']],
        [{ displayName: 'Ana' }, ['email']],
        [{ displayName: 'Ana', email: 'not-an-address' }, ['email']],
        [{ displayName: 'Ana', email: 'Ana <ana@example.org>' }, ['email']],
        [{ displayName: 'Ana', email: `${'a'.repeat(250)}@x.example` }, ['email']],
        [{ displayName: 'Ana', email: ANA.email, phone: '555-0100' }, ['phone']],
      ];
      for (const [body, fields] of cases) {
        const res = await api.post('/people', body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(fields.sort());
      }
      for (const raw of ['[]', '"Ana"', 'null']) {
        const res = await api.request('POST', '/people', { rawBody: raw, headers: { 'Content-Type': 'application/json' } });
        expect({ raw, status: res.status }).toEqual({ raw, status: 400 });
      }
      expect(await peopleCount()).toBe(before);
    });

    it('reading or erasing an unknown or malformed id; erasing with a reason outside the list', async () => {
      const before = await complianceCount();
      const unknown = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
      expect((await api.get(`/people/${unknown}`)).body).toMatchObject({ status: 404, code: 'PERSON_NOT_FOUND' });
      expect((await api.get('/people/person-77')).body).toMatchObject({ status: 400, code: 'INVALID_ID' });
      expect((await api.post(`/people/${unknown}/erasure`, {})).body).toMatchObject({ status: 404, code: 'PERSON_NOT_FOUND' });
      expect((await api.post('/people/person-77/erasure', {})).body).toMatchObject({ status: 400, code: 'INVALID_ID' });
      const badReason = await api.post(`/people/${bo}/erasure`, { reason: 'Bodhan asked on the phone' });
      expect(badReason.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'reason' }] });
      expect((await api.get(`/people/${bo}`)).body.erased).toBe(false);
      expect(await complianceCount()).toBe(before);
    });

    it('JoinParticipant with an unknown or erased person is refused (422) and appends nothing', async () => {
      const at = await revision();
      const join = (participantId: string, personId: string) =>
        api.command(partnershipId, 'JoinParticipant', { participantId, organizationId: 'org-riverside', roles: ['practitioner'], personId });
      const unknown = await join('p-x1', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
      expect(unknown.body).toMatchObject({ status: 422, code: 'UNKNOWN_REFERENCE', details: { reference: { field: 'personId' } } });
      expect((await join('p-x2', 'person-77')).body).toMatchObject({ status: 422, code: 'UNKNOWN_REFERENCE' });
      expect((await join('p-x3', ana)).body).toMatchObject({ status: 422, code: 'PERSON_ERASED' });
      // A malformed command is still the handler's 400, an unknown partnership its 404.
      expect((await api.command(partnershipId, 'JoinParticipant', { participantId: 'p-x4', roles: ['practitioner'], personId: ana })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect((await api.command('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'JoinParticipant', { participantId: 'p-x5', organizationId: 'o', roles: ['practitioner'], personId: ana })).status).toBe(404);
      expect(await revision()).toBe(at);
    });
  });

  describe('roles and organizations', () => {
    it('admin and member register and erase; auditors read; integrators never see a person', async () => {
      const member = await keyFor('member');
      const auditor = await keyFor('auditor');
      const integrator = await keyFor('integrator');
      const created = await member.post('/people', { displayName: 'Cleo Member', email: 'cleo@example.org' });
      expect(created.status).toBe(201);
      const id = created.body.personId;
      expect((await auditor.get(`/people/${id}`)).body).toMatchObject({ displayName: 'Cleo Member' });
      expect((await auditor.post('/people', BO)).status).toBe(403);
      expect((await auditor.post(`/people/${id}/erasure`, {})).status).toBe(403);
      expect((await integrator.get(`/people/${id}`)).status).toBe(403);
      expect((await integrator.post('/people', BO)).status).toBe(403);
      expect((await integrator.post(`/people/${id}/erasure`, {})).status).toBe(403);
      expect((await api.withKey(undefined).get(`/people/${id}`)).status).toBe(401);
      expect((await member.post(`/people/${id}/erasure`, {})).status).toBe(200);
    });

    it('a key bound to an organization sees, erases and references only the people its organization registered', async () => {
      const riverside = await keyFor('member', 'org-riverside');
      const uplands = await keyFor('member', 'org-uplands');
      const id = (await riverside.post('/people', { displayName: 'Dana Riverside', email: 'dana@riverside.example' })).body.personId;
      expect((await riverside.get(`/people/${id}`)).body.displayName).toBe('Dana Riverside');
      expect((await uplands.get(`/people/${id}`)).body).toMatchObject({ status: 404, code: 'PERSON_NOT_FOUND' });
      expect((await uplands.post(`/people/${id}/erasure`, {})).status).toBe(404);
      expect((await api.get(`/people/${id}`)).status).toBe(200); // unbound keys see everyone
      const refused = await uplands.command(partnershipId, 'JoinParticipant', { participantId: 'p-dana', organizationId: 'org-uplands', roles: ['researcher'], personId: id });
      expect(refused.body).toMatchObject({ status: 422, code: 'UNKNOWN_REFERENCE' });
      expect((await riverside.get(`/people/${id}`)).body.erased).toBe(false);
    });
  });

  describe('(f) a tampered ciphertext fails decryption instead of showing garbage', () => {
    it('GET /people/:id answers 500 without the data, and views show no name for it', async () => {
      const id = (await api.post('/people', { displayName: 'Eli Tampered', email: 'eli@example.org' })).body.personId;
      await api.commands(partnershipId, [['JoinParticipant', { participantId: 'p-eli', organizationId: 'org-riverside', roles: ['practitioner'], personId: id }]]);
      // XOR, not overwrite: a fixed byte changes nothing when the ciphertext already holds it (1 in 256).
      await sql.query(`UPDATE ${schema}.people SET display_name_sealed = set_byte(display_name_sealed, 29, get_byte(display_name_sealed, 29) # 255) WHERE person_id = $1`, [id]);
      const res = await api.get(`/people/${id}`);
      expect(res.status).toBe(500);
      expect(res.text).not.toContain('Eli');
      const state = (await api.get(`/partnerships/${partnershipId}`)).body.state;
      expect(state.participants['p-eli'].displayName).toBe('unreadable participant (practitioner, school_district)');
    });
  });
});

describe('(g) reminder e-mails never reach an erased person', () => {
  let t: TestApp;
  let api: ApiClient;
  let smtp: SmtpSink;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    const env = {
      // 21 days last one second; only R-17 ("partnership paused", to the co-leads) runs, after 21 days.
      REMINDER_TIME_SCALE: '1/1814400',
      REMINDER_R17_DAYS: '21',
      REMINDER_DISABLED_POLICIES: 'R-01,R-03,R-04,R-05,R-06,R-07,R-08,R-10,R-11,R-12,R-13,R-14,R-15,R-18',
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Trellis <trellis@e2e.example>',
      REMINDER_FALLBACK_EMAIL: 'ops@e2e.example',
    };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    t = await startTestApp({ env: { RUN_WORKERS: 'true' } });
    api = new ApiClient(t.url, t.adminKey);
  }, 90_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }, 30_000);

  it('the co-leads are reminded at their own addresses; the erased co-lead is not', async () => {
    const ana = (await api.post('/people', ANA)).body.personId;
    const bo = (await api.post('/people', BO)).body.personId;
    const id = (await api.post('/partnerships', { name: 'Paused RPP', initiationMode: 'agency', focus: 'Attendance' })).body.partnershipId;
    await api.commands(id, [
      ['JoinOrganization', { organizationId: 'org-d', name: 'District', orgType: 'school_district', side: 'practice' }],
      ['JoinOrganization', { organizationId: 'org-r', name: 'Lab', orgType: 'research_organization', side: 'research' }],
      ['JoinParticipant', { participantId: 'p-ana', organizationId: 'org-d', roles: ['practitioner'], personId: ana }],
      ['JoinParticipant', { participantId: 'p-bo', organizationId: 'org-r', roles: ['researcher'], personId: bo }],
      ['FormalizePartnership', { agreementRef: 'MOU-1', partyOrganizationIds: ['org-d', 'org-r'], coLeadParticipantIds: ['p-ana', 'p-bo'], effectiveFrom: '2024-01-01' }],
    ]);
    expect((await api.post(`/people/${ana}/erasure`, {})).status).toBe(200);
    await api.commands(id, [['ChangePartnershipStatus', { status: 'paused', reason: 'budget freeze' }]]);

    const mails = await eventually(() => {
      const m = smtp.messages.filter((x) => x.subject.includes('R-17'));
      return m.length > 0 ? m : undefined;
    }, 'the R-17 e-mail', 30_000);
    const recipients = mails.flatMap((m) => m.to.map((a) => a.toLowerCase()));
    expect(recipients).toContain(BO.email);
    expect(recipients).not.toContain(ANA.email);
    expect(recipients).not.toContain('ops@e2e.example'); // a person was found: no fallback
    for (const m of mails) expect(m.raw).not.toMatch(/Quintero|Ferreira/);
    expect(smtp.messages.some((m) => m.to.some((a) => a.toLowerCase() === ANA.email))).toBe(false);
  }, 60_000);
});
