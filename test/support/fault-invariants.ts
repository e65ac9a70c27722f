/**
 * The invariants the fault suite (test/faults) checks after every fault, once the load has stopped:
 *
 * - **read models**: every projection, the webhook dispatcher and the reminder scheduler reach the
 *   head of the log; every partnership of the log is listed once with `asOfPosition` equal to its
 *   stream's head, and its timeline holds each event of its stream exactly once, in order; optionally
 *   the read models equal a clean rebuild of the same log (test/support/read-model-checksums.ts);
 * - **deliveries**: every event a subscription matches was accepted by the receiver (a 2xx the sender
 *   saw), every extra request was a retry of the same webhook-id with the same body, the accepted
 *   deliveries of each partnership came in position order, and no delivery of the subscription is
 *   left pending or dead-lettered in the read store;
 * - **reminders**: one `ReminderIssued` per policy, subject and step, and every step expected issued.
 *
 * Each returns a short summary for the test's report line.
 */
import type { RecordedEvent } from '@trellis/event-store';
import { READ_MODEL_PROJECTIONS } from '@trellis/projections';
import { check, waitFor, type EngineRig } from './fault-rig';
import { checksumDifferences, readModelChecksums } from './read-model-checksums';
import type { WebhookReceiver } from './webhook-receiver';

const PROJECTION_NAMES = READ_MODEL_PROJECTIONS.map((p) => p.name);

/** Every projection and follower (dispatcher, scheduler) at the head, with no error and no rebuild running. */
export async function caughtUp(rig: EngineRig, what: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => {
      const head = await rig.store.headPosition();
      const rows = await rig.registry.list();
      return rows.length >= PROJECTION_NAMES.length + 2 && rows.every((r) => r.checkpoint >= head && r.rebuild === null && r.lastError === null);
    },
    what,
    timeoutMs,
    () => rig.registryReport(),
  );
}

export async function expectReadModelsComplete(rig: EngineRig, options: { cleanRebuild?: boolean } = {}): Promise<string> {
  await caughtUp(rig, 'every projection, the dispatcher and the scheduler to reach the head of the log');
  const log = await rig.readAll((e) => e.streamId.startsWith('partnership-'));
  const streams = new Map<string, RecordedEvent[]>();
  for (const e of log) streams.set(e.streamId.slice('partnership-'.length), [...(streams.get(e.streamId.slice('partnership-'.length)) ?? []), e]);

  // The summary: each partnership once, at its stream's head.
  const listed = new Map<string, string>();
  let cursor: string | null = null;
  let rows = 0;
  do {
    const res = await rig.api.get(`/partnerships?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    check(res.status === 200, `GET /partnerships → ${res.status}: ${res.text.slice(0, 300)}`);
    for (const item of res.body.items as Array<{ partnershipId: string; asOfPosition: string }>) {
      rows += 1;
      listed.set(item.partnershipId, item.asOfPosition);
    }
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  check(rows === listed.size, `GET /partnerships listed ${rows} rows for ${listed.size} partnerships`);
  const missing = [...streams.keys()].filter((id) => !listed.has(id));
  const extra = [...listed.keys()].filter((id) => !streams.has(id));
  check(missing.length === 0 && extra.length === 0, `the summary misses ${missing.length} partnerships (e.g. ${missing[0]}) and has ${extra.length} unknown ones`);
  for (const [id, events] of streams) {
    const head = events[events.length - 1]!.position.toString();
    check(listed.get(id) === head, `partnership ${id}: the summary is as of ${listed.get(id)}, its stream's head is at ${head}`);
  }

  // The timeline: every event of each stream exactly once, in order.
  for (const [id, events] of streams) {
    const res = await rig.api.get(`/partnerships/${id}/timeline?limit=1000`);
    check(res.status === 200, `GET /partnerships/${id}/timeline → ${res.status}: ${res.text.slice(0, 300)}`);
    const ids = (res.body.events as Array<{ eventId: string }>).map((e) => e.eventId);
    const expected = events.map((e) => e.eventId);
    check(JSON.stringify(ids) === JSON.stringify(expected), `partnership ${id}: the timeline has ${ids.length} events (${new Set(ids).size} distinct), the stream ${expected.length}`);
  }

  let rebuilt = '';
  if (options.cleanRebuild) {
    const live = await readModelChecksums(rig.sql, rig.schema);
    const generations = new Map((await rig.registry.list(PROJECTION_NAMES)).map((r) => [r.name, r.generation]));
    const res = await rig.api.post('/admin/projections/rebuild', { reason: 'fault suite: clean rebuild for comparison' });
    check(res.status === 202, `POST /admin/projections/rebuild → ${res.status}: ${res.text}`);
    await waitFor(
      async () => (await rig.registry.list(PROJECTION_NAMES)).every((r) => r.rebuild === null && r.generation > generations.get(r.name)!),
      'the clean rebuild to swap',
      120_000,
      () => rig.registryReport(),
    );
    await caughtUp(rig, 'the live runners after the clean rebuild');
    const differences = checksumDifferences(live, await readModelChecksums(rig.sql, rig.schema));
    check(differences.length === 0, `the read models differ from a clean rebuild of the same log:\n${differences.join('\n')}`);
    rebuilt = ', equal to a clean rebuild';
  }
  return `${streams.size} partnerships, ${log.length} events: summary and timelines exact${rebuilt}`;
}

/**
 * Every event of the log matching `matches` accepted at `path`; extra requests only retries of the
 * same webhook-id; accepted deliveries in position order per partnership; no delivery pending or
 * dead-lettered in the read store.
 */
export async function expectEveryEventDelivered(
  rig: EngineRig,
  receiver: WebhookReceiver,
  path: string,
  /** `subscriptionId`: the subscription to `path` (the read store's deliveries are checked for it alone). */
  options: { subscriptionId: string; matches?: (e: RecordedEvent) => boolean; timeoutMs?: number },
): Promise<string> {
  await caughtUp(rig, 'the dispatcher to reach the head of the log');
  const log = await rig.readAll(options.matches);
  // Accepted answers the sender saw (an answer written after it had timed out, or been killed, is not
  // a delivery it knows of: it sends the event again).
  const delivered = () => receiver.accepted(path).filter((r) => !r.senderGone);
  const wanted = new Set(log.map((e) => e.eventId));
  await waitFor(
    () => {
      const accepted = new Set(delivered().map((r) => r.headers['webhook-id']));
      return [...wanted].every((id) => accepted.has(id));
    },
    `all ${wanted.size} events accepted at ${path}`,
    options.timeoutMs ?? 180_000,
    async () => {
      const accepted = new Set(delivered().map((r) => r.headers['webhook-id']));
      const { rows } = await rig.sql
        .query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM ${rig.schema}.webhook_deliveries WHERE subscription_id = $1 GROUP BY status`, [options.subscriptionId])
        .catch(() => ({ rows: [] as Array<{ status: string; n: number }> }));
      return `${[...wanted].filter((id) => !accepted.has(id)).length} not accepted yet; ${receiver.at(path).length} requests; deliveries by status ${JSON.stringify(rows)}`;
    },
    500,
  );
  // The read store agrees: each of these events' deliveries recorded delivered (a pending one would be
  // sent again), and none of the subscription's deliveries dead-lettered.
  await waitFor(
    async () => {
      const { rows } = await rig.sql.query<{ event_id: string; status: string }>(
        `SELECT event_id::text, status FROM ${rig.schema}.webhook_deliveries WHERE subscription_id = $1`,
        [options.subscriptionId],
      );
      const dead = rows.filter((r) => r.status === 'dead_lettered');
      check(dead.length === 0, `${dead.length} deliveries were dead-lettered`);
      const delivered = new Set(rows.filter((r) => r.status === 'delivered').map((r) => r.event_id));
      return [...wanted].every((id) => delivered.has(id));
    },
    `every delivery of subscription ${options.subscriptionId} recorded delivered`,
    60_000,
  );
  // Events appended meanwhile (reminders falling due) may have been sent too: judge by the log as it is now.
  const logNow = await rig.readAll(options.matches);
  const known = new Set(logNow.map((e) => e.eventId));
  const requests = receiver.at(path);
  const foreign = requests.filter((r) => !known.has(r.headers['webhook-id']!));
  check(foreign.length === 0, `${foreign.length} requests carried a webhook-id that is no event of the log`);
  // Duplicates are retries: the same webhook-id, the same body.
  const bodies = new Map<string, string>();
  for (const r of requests) {
    const id = r.headers['webhook-id']!;
    const previous = bodies.get(id);
    check(previous === undefined || previous === r.body, `webhook-id ${id} was sent with two different bodies`);
    bodies.set(id, r.body);
  }
  // In order per partnership (a retry repeats the same position; never goes back to an earlier one).
  const positions = new Map(logNow.map((e) => [e.eventId, e.position]));
  const last = new Map<string, bigint>();
  for (const r of delivered()) {
    const subject = (JSON.parse(r.body) as { subject?: string }).subject ?? '';
    const position = positions.get(r.headers['webhook-id']!)!;
    const previous = last.get(subject);
    check(previous === undefined || previous <= position, `partnership ${subject}: position ${position} accepted after ${previous}`);
    last.set(subject, position);
  }
  const accepted = delivered();
  const unseen = receiver.accepted(path).length - accepted.length;
  return (
    `${wanted.size} events delivered (${requests.length} requests, ${accepted.length} accepted, ${accepted.length - new Set(accepted.map((r) => r.headers['webhook-id'])).size} accepted twice as retries` +
    `${unseen > 0 ? `, ${unseen} more answered 2xx after the sender had gone` : ''}), in order per partnership, none dead-lettered`
  );
}

export interface ReminderStep {
  readonly partnershipId: string;
  readonly policy: string;
  readonly subject?: string;
  readonly escalation?: number;
}

const stepKey = (s: { partnershipId: unknown; policy: unknown; subject?: unknown; escalation?: unknown }) => `${s.partnershipId} ${s.policy} ${s.subject ?? '*'} e${s.escalation ?? 0}`;

/** One ReminderIssued per step in the log; every `expected` step among them (matched by partnership, policy and step). */
export async function expectRemindersIssuedOnce(rig: EngineRig, expected: readonly ReminderStep[], timeoutMs = 120_000): Promise<string> {
  const issued = await waitFor(
    async () => {
      const events = await rig.readAll((e) => e.type === 'ReminderIssued');
      const have = new Set(events.map((e) => `${e.data['partnershipId']} ${e.data['policy']} e${e.data['escalation'] ?? 0}`));
      return expected.every((s) => have.has(`${s.partnershipId} ${s.policy} e${s.escalation ?? 0}`)) ? events : undefined;
    },
    `${expected.length} reminders to be issued`,
    timeoutMs,
    async () => {
      const events = await rig.readAll((e) => e.type === 'ReminderIssued');
      const have = new Set(events.map((e) => `${e.data['partnershipId']} ${e.data['policy']} e${e.data['escalation'] ?? 0}`));
      const missing = expected.filter((s) => !have.has(`${s.partnershipId} ${s.policy} e${s.escalation ?? 0}`));
      return `${events.length} issued; missing ${missing.length}, e.g. ${missing.slice(0, 3).map((s) => `${s.partnershipId} ${s.policy}`).join(', ')}; ${await rig.registryReport()}`;
    },
    500,
  );
  const keys = issued.map((e) => stepKey(e.data as never));
  const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
  check(duplicates.length === 0, `reminder steps issued twice: ${duplicates.slice(0, 5).join('; ')}`);
  return `${issued.length} reminders issued, each step once (${expected.length} expected)`;
}
