/**
 * The envelope of `POST /partnerships/:id/commands`: `{type, data, occurredAt?, corrects?,
 * actorParticipantId?}`. `type` selects the DTO that validates `data`; every bad field is reported
 * in one 400 (issue #2 §4), and nothing reaches the pipeline unless all of it is valid.
 */
import { CLIENT_ID_PATTERN, STREAM_COMMAND_TYPES, type PartnershipCommandType } from '@trellis/domain';
import { ProblemException, validationFailed, type FieldError } from '../http/problem';
import { checkOccurredAt, isUuid } from '../http/request-parsing';
import { validateCommandData, validateProposePartnership } from './dto/command-validation';

export interface ParsedCommand {
  readonly type: Exclude<PartnershipCommandType, 'ProposePartnership'>;
  readonly data: object;
  readonly occurredAt?: string;
  readonly corrects?: string;
  readonly actorParticipantId?: string;
}

const ENVELOPE_FIELDS = new Set(['type', 'data', 'occurredAt', 'corrects', 'actorParticipantId']);
const STREAM_TYPES = new Set<string>(STREAM_COMMAND_TYPES);

export function parseCommandRequest(body: unknown, now = new Date()): ParsedCommand {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw validationFailed([{ field: 'body', messages: ['body must be a JSON object {type, data}'] }]);
  }
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(b)) {
    if (!ENVELOPE_FIELDS.has(key)) errors.push({ field: key, messages: [`property ${key} should not exist`] });
  }

  const type = b['type'];
  if (type === undefined) errors.push({ field: 'type', messages: ['type is required'] });
  else if (typeof type !== 'string') errors.push({ field: 'type', messages: ['type must be a string'] });
  else if (!STREAM_TYPES.has(type)) {
    const detail =
      type === 'ProposePartnership'
        ? 'ProposePartnership is sent as POST /partnerships'
        : `Unknown command type "${type.slice(0, 100)}"; see GET /docs for the list`;
    throw new ProblemException(400, 'UNKNOWN_COMMAND_TYPE', 'Unknown command type', detail, {
      errors: [{ field: 'type', messages: [`must be one of: ${STREAM_COMMAND_TYPES.join(', ')}`] }],
    });
  }

  let data: object | undefined;
  if (b['data'] === undefined) errors.push({ field: 'data', messages: ['data is required'] });
  else if (typeof type === 'string') {
    const result = validateCommandData(type, b['data']);
    if (result.ok) data = result.value;
    else errors.push(...result.errors);
  }

  const occurredAt = checkOccurredAt(b['occurredAt'], now, errors);
  const corrects = b['corrects'];
  if (corrects !== undefined && !isUuid(corrects)) errors.push({ field: 'corrects', messages: ['corrects must be the eventId (a UUID) of an earlier event'] });
  const actor = b['actorParticipantId'];
  if (actor !== undefined && (typeof actor !== 'string' || !CLIENT_ID_PATTERN.test(actor))) {
    errors.push({ field: 'actorParticipantId', messages: ['actorParticipantId must match [A-Za-z0-9_-]{1,100}'] });
  }

  if (errors.length > 0 || !data) throw validationFailed(errors);
  return {
    type: type as ParsedCommand['type'],
    data,
    ...(occurredAt ? { occurredAt } : {}),
    ...(typeof corrects === 'string' ? { corrects: corrects.toLowerCase() } : {}),
    ...(typeof actor === 'string' ? { actorParticipantId: actor } : {}),
  };
}

/** `POST /partnerships`: ProposePartnership data, plus the optional `occurredAt` (extension). */
export function parseProposalRequest(body: unknown, now = new Date()): { data: object; occurredAt?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw validationFailed([{ field: 'body', messages: ['body must be a JSON object'] }]);
  }
  const { occurredAt: rawOccurredAt, ...rest } = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const occurredAt = checkOccurredAt(rawOccurredAt, now, errors);
  const result = validateProposePartnership(rest);
  // Proposal fields are top-level: report them without the `data.` prefix.
  if (!result.ok) errors.push(...result.errors.map((e) => ({ ...e, field: e.field.replace(/^data\./, '') })));
  if (errors.length > 0 || !result.ok) throw validationFailed(errors);
  return { data: result.value, ...(occurredAt ? { occurredAt } : {}) };
}
