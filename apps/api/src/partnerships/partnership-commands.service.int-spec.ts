/**
 * Idempotency-Key under failure, against real stores (embedded PGlite). Faults are injected at the
 * exact points a crash can happen — nothing else is stubbed:
 *  - the append reached the log but storing the response failed → a retry must recover the
 *    original outcome from the log, never record the fact twice;
 *  - the append itself failed after it was planned → a retry must find nothing and run it.
 */
import { partnershipStreamId } from '@trellis/domain';
import { createSqlEventStore, PgliteSqlClient, type AppendOptions, type EventStore, type EventToAppend, type SqlClient } from '@trellis/event-store';
import { IdempotencyStore, loadConfig, type Principal, type StoredResponse } from '@trellis/platform';
import { PartnershipCommandsService, type CommandRequest } from './partnership-commands.service';

class CrashingIdempotencyStore extends IdempotencyStore {
  crashOnNextComplete = false;
  override async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    if (this.crashOnNextComplete) {
      this.crashOnNextComplete = false;
      throw new Error('connection lost while storing the response');
    }
    return super.complete(scope, key, response);
  }
}

let sql: SqlClient;
let events: EventStore;
let idempotency: CrashingIdempotencyStore;
let failNextAppend = false;
let service: PartnershipCommandsService;

const principal: Principal = { apiKeyId: '0193a000-0000-7000-8000-000000000001', name: 'test', role: 'admin' };
const proposal = (key: string): CommandRequest => ({
  principal,
  correlationId: 'corr',
  type: 'ProposePartnership',
  data: { name: 'Recovered RPP', initiationMode: 'agency', focus: 'crash recovery' },
  idempotencyKey: key,
  scope: `${principal.apiKeyId} POST /partnerships`,
  fingerprint: { method: 'POST', path: '/partnerships', body: { name: 'Recovered RPP' } },
});

async function countEvents(partnershipId: string): Promise<number> {
  let n = 0;
  for await (const _ of events.readStream(partnershipStreamId(partnershipId))) n++;
  return n;
}

beforeAll(async () => {
  sql = await PgliteSqlClient.create();
  const store = await createSqlEventStore({ sql, schema: 'trellis' });
  // A decorator over the real store that can fail one append, as a dropped connection would.
  events = Object.assign(Object.create(store) as EventStore, {
    append(streamId: string, toAppend: readonly EventToAppend[], options: AppendOptions) {
      if (failNextAppend) {
        failNextAppend = false;
        return Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
      }
      return store.append(streamId, toAppend, options);
    },
  });
  // lockSeconds 0: a retry may take over the record at once (in production it waits 30 s).
  idempotency = new CrashingIdempotencyStore(sql, 'trellis', { ttlHours: 1, lockSeconds: 0 });
  await idempotency.migrate();
  service = new PartnershipCommandsService(events, idempotency, loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://' }));
});
afterAll(async () => {
  await events?.close();
  await sql?.close();
});

it('recovers the first outcome from the log when the response was lost after the append', async () => {
  idempotency.crashOnNextComplete = true;
  await expect(service.propose(proposal('crash-after-append'))).rejects.toThrow('connection lost');

  const retry = await service.propose(proposal('crash-after-append'));
  expect(retry.replayed).toBe(true);
  expect(retry.status).toBe(201);
  const { partnershipId, revision } = retry.body as { partnershipId: string; revision: string };
  expect(revision).toBe('0');
  expect(await countEvents(partnershipId)).toBe(1);

  // From now on it is an ordinary stored response.
  const third = await service.propose(proposal('crash-after-append'));
  expect(third).toEqual(retry);
});

it('runs the command on retry when the planned append never reached the log', async () => {
  failNextAppend = true;
  await expect(service.propose(proposal('append-failed'))).rejects.toThrow('Connection terminated');
  const retry = await service.propose(proposal('append-failed'));
  expect(retry.replayed).toBeUndefined();
  expect(retry.status).toBe(201);
  expect(await countEvents((retry.body as { partnershipId: string }).partnershipId)).toBe(1);
});

it('recovers a command (not only a proposal) with its events and revision', async () => {
  const { body } = await service.propose(proposal('setup'));
  const id = (body as { partnershipId: string }).partnershipId;
  const join: CommandRequest = {
    principal,
    correlationId: 'corr',
    type: 'JoinOrganization',
    data: { organizationId: 'district', name: 'District', orgType: 'school_district', side: 'practice' },
    idempotencyKey: 'join-district',
    scope: `${principal.apiKeyId} POST /partnerships/${id}/commands`,
    fingerprint: { body: 'join-district' },
  };
  idempotency.crashOnNextComplete = true;
  await expect(service.execute(id, join)).rejects.toThrow();
  const retry = await service.execute(id, join);
  expect(retry).toMatchObject({ replayed: true, status: 201, headers: { ETag: 'W/"1"' } });
  expect(retry.body).toEqual({ partnershipId: id, revision: '1', events: [{ eventId: expect.any(String), type: 'OrganizationJoined', revision: '1' }] });
  expect(await countEvents(id)).toBe(2);
});
