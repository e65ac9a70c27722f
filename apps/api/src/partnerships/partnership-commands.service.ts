/**
 * Runs partnership commands through the generic pipeline and shapes the HTTP outcome, including
 * Idempotency-Key handling (first response stored and replayed; recovery from the log after a crash
 * between appending and storing the response).
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { v7 as uuidv7 } from 'uuid';
import {
  partnershipDecider,
  partnershipStreamId,
  RuleViolation,
  type PartnershipCommand,
  type PartnershipEvent,
  type PartnershipState,
} from '@trellis/domain';
import {
  CommandHandler,
  ConcurrencyRetriesExhaustedError,
  EVENT_STORE,
  WrongExpectedRevisionError,
  type EventStore,
  type HandledCommand,
} from '@trellis/event-store';
import {
  IDEMPOTENCY_STORE,
  TRELLIS_CONFIG,
  type IdempotencyStore,
  type PlannedAppend,
  type Principal,
  type StoredResponse,
  type TrellisConfig,
} from '@trellis/platform';
import { commandDuration, eventsAppended } from '@trellis/platform';
import { ProblemException } from '../http/problem';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { fromRecorded, toEventsToAppend, type EnvelopeContext } from './partnership-envelope';

/** Most a single command produces: the fact and an automatic phase transition (plus slack). */
const EVENT_IDS_PER_COMMAND = 4;

export interface CommandRequest {
  readonly principal: Principal;
  readonly correlationId: string;
  readonly type: PartnershipCommand['type'];
  readonly data: unknown;
  readonly occurredAt?: string;
  readonly corrects?: string;
  readonly actorParticipantId?: string;
  /** From If-Match; -1n never comes from a client. */
  readonly expectedRevision?: bigint;
  readonly idempotencyKey?: string;
  /** Canonical fingerprint of the request (method, path, body, If-Match) for Idempotency-Key. */
  readonly fingerprint: unknown;
  readonly scope: string;
}

export interface HttpOutcome extends StoredResponse {
  readonly replayed?: boolean;
}

/** The outcome label of a command's HTTP status. */
function commandOutcome(status: number): string {
  if (status < 300) return 'recorded';
  if (status === 422) return 'refused';
  if (status === 409 || status === 412) return 'conflict';
  return status < 500 ? 'rejected' : 'error';
}

@Injectable()
export class PartnershipCommandsService {
  private readonly handler: CommandHandler<PartnershipState, PartnershipCommand, PartnershipEvent, EnvelopeContext>;
  private readonly errors = new ProblemDetailsFilter();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @Inject(TRELLIS_CONFIG) config: TrellisConfig,
  ) {
    this.handler = new CommandHandler(store, {
      decider: partnershipDecider,
      fromRecorded,
      toAppend: (events, _command, context) => toEventsToAppend(events, context),
      maxRetries: config.commandConflictRetries,
      stateCacheSize: 2_000,
    });
  }

  /** The folded current state (shared with the read side so both use one cache). */
  load(partnershipId: string) {
    return this.handler.load(partnershipStreamId(partnershipId));
  }

  /** `POST /partnerships`: a new partnership id, and a stream that must not exist yet. */
  propose(request: CommandRequest): Promise<HttpOutcome> {
    return this.measured(request, () => this.idempotent(request, (plan) => this.run(uuidv7(), request, -1n, plan)));
  }

  /** `POST /partnerships/:id/commands`. */
  execute(partnershipId: string, request: CommandRequest): Promise<HttpOutcome> {
    return this.measured(request, () => this.idempotent(request, (plan) => this.run(partnershipId, request, request.expectedRevision, plan)));
  }

  /** `trellis_command_duration_seconds{type, outcome}`, and the events each recorded command appended. */
  private async measured(request: CommandRequest, body: () => Promise<HttpOutcome>): Promise<HttpOutcome> {
    const end = commandDuration.startTimer({ type: request.type });
    let status: number;
    try {
      const outcome = await body();
      status = outcome.status;
      if (status < 300 && !outcome.replayed) {
        const events = (outcome.body as { events?: Array<{ type: string }> }).events;
        for (const e of events ?? [{ type: 'PartnershipProposed' }]) eventsAppended.inc({ type: e.type });
      }
      return outcome;
    } catch (error) {
      status = this.errors.toProblem(error, { correlationId: request.correlationId } as never).problem.status;
      throw error;
    } finally {
      end({ outcome: commandOutcome(status!) });
    }
  }

  private async run(
    partnershipId: string,
    request: CommandRequest,
    expectedRevision: bigint | undefined,
    plan: ((p: PlannedAppend) => Promise<void>) | undefined,
  ): Promise<HttpOutcome> {
    const streamId = partnershipStreamId(partnershipId);
    const now = new Date().toISOString();
    const eventIds = Array.from({ length: EVENT_IDS_PER_COMMAND }, () => uuidv7());
    const actor = {
      apiKeyId: request.principal.apiKeyId,
      ...(request.actorParticipantId ? { participantId: request.actorParticipantId } : {}),
      ...(request.principal.organizationId ? { organizationId: request.principal.organizationId } : {}),
    };
    const command = {
      type: request.type,
      data: request.data,
      metadata: { now, occurredAt: request.occurredAt ?? now, eventIds, partnershipId, actor },
    } as PartnershipCommand;

    if (request.corrects) await this.assertEventInStream(streamId, request.corrects);

    const handled = await this.handler.handle(streamId, command, {
      expectedRevision,
      context: {
        partnershipId,
        eventIds,
        occurredAt: command.metadata.occurredAt,
        recordedAt: now,
        recordedBy: actor,
        correlationId: request.correlationId,
        causationId: uuidv7(),
        ...(request.corrects ? { corrects: request.corrects } : {}),
      },
      beforeAppend: plan ? (events) => plan({ streamId, eventIds: events.map((e) => e.eventId) }) : undefined,
    });
    return this.created(partnershipId, request.type === 'ProposePartnership', handled);
  }

  private created(partnershipId: string, isProposal: boolean, handled: Pick<HandledCommand<unknown>, 'revision' | 'events'>): HttpOutcome {
    const revision = handled.revision.toString();
    const headers: Record<string, string> = { ETag: `W/"${revision}"` };
    if (isProposal) {
      headers['Location'] = `/partnerships/${partnershipId}`;
      return { status: 201, headers, body: { partnershipId, revision } };
    }
    return {
      status: 201,
      headers,
      body: {
        partnershipId,
        revision,
        events: handled.events.map((e) => ({ eventId: e.eventId, type: e.type, revision: e.revision.toString() })),
      },
    };
  }

  private async assertEventInStream(streamId: string, eventId: string): Promise<void> {
    for await (const e of this.store.readStream(streamId, { raw: true })) if (e.eventId === eventId) return;
    throw new RuleViolation('UNKNOWN_REFERENCE', `corrects: event ${eventId} is not in this partnership's history`, {
      reference: { field: 'corrects', id: eventId },
    });
  }

  /**
   * Without a key: just run. With one: claim it, run with the planned append recorded, and store the
   * first final response (success or refusal). Transient failures (5xx, exhausted conflict retries)
   * release the key so a retry runs again.
   */
  private async idempotent(
    request: CommandRequest,
    run: (plan: ((p: PlannedAppend) => Promise<void>) | undefined) => Promise<HttpOutcome>,
  ): Promise<HttpOutcome> {
    const key = request.idempotencyKey;
    if (!key) return run(undefined);
    const scope = request.scope;
    const hash = createHash('sha256').update(canonicalize(request.fingerprint) ?? '').digest('hex');
    const claim = await this.idempotency.claim(scope, key, hash);
    switch (claim.kind) {
      case 'replay':
        return { ...claim.response, replayed: true };
      case 'mismatch':
        throw new ProblemException(409, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused', 'This Idempotency-Key was used with a different request');
      case 'in_progress':
        throw new ProblemException(409, 'IDEMPOTENCY_KEY_IN_PROGRESS', 'Request in progress', 'A request with this Idempotency-Key is still being processed; retry shortly', {}, { 'Retry-After': '1' });
      case 'recover': {
        const recovered = await this.recover(claim.plan, request.type === 'ProposePartnership');
        if (recovered) {
          await this.idempotency.complete(scope, key, recovered);
          return { ...recovered, replayed: true };
        }
        break; // the planned append never happened: run it now
      }
      case 'new':
        break;
    }
    // Once the append is planned it may have reached the log even if this request then fails
    // (a lost connection after commit, a crash before the response is stored): from then on the
    // record is never released, so a retry recovers the outcome from the log instead of re-running.
    let planned = false;
    let outcome: HttpOutcome;
    try {
      outcome = await run(async (plan) => {
        await this.idempotency.plan(scope, key, plan);
        planned = true;
      });
    } catch (error) {
      const { problem, headers } = this.errors.toProblem(error, { correlationId: request.correlationId } as never);
      const nothingWritten = !planned || error instanceof ConcurrencyRetriesExhaustedError || error instanceof WrongExpectedRevisionError;
      if (problem.status < 500 && problem.code !== 'CONCURRENCY_CONFLICT') {
        // A final answer (a refusal, a precondition): replayed as is for this key.
        await this.idempotency.complete(scope, key, { status: problem.status, headers: { ...headers, 'Content-Type': 'application/problem+json' }, body: problem });
      } else if (nothingWritten) {
        await this.idempotency.release(scope, key).catch(() => undefined);
      }
      throw error;
    }
    await this.idempotency.complete(scope, key, outcome);
    return outcome;
  }

  /** Rebuilds the response of an append that reached the log before its response was stored. */
  private async recover(plan: PlannedAppend, isProposal: boolean): Promise<HttpOutcome | null> {
    const wanted = new Set(plan.eventIds);
    const found: Array<{ eventId: string; type: string; revision: bigint; position: bigint }> = [];
    for await (const e of this.store.readStream(plan.streamId, { raw: true })) {
      if (wanted.has(e.eventId)) found.push({ eventId: e.eventId, type: e.type, revision: e.revision, position: e.position });
    }
    if (found.length === 0) return null;
    const partnershipId = plan.streamId.replace(/^partnership-/, '');
    return this.created(partnershipId, isProposal, { revision: found[found.length - 1]!.revision, events: found });
  }
}
