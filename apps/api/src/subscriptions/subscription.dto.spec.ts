/**
 * `eventTypes` of `POST /subscriptions` is checked against the published event catalog, so every type
 * the feed serves — the partnership's events, the reminders' `ReminderIssued` and the compliance
 * stream's `PersonalDataErased` — can be filtered on.
 */
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PARTNERSHIP_EVENT_TYPES } from '@trellis/domain';
import { EVENT_CATALOG } from '@trellis/integrations';
import { REMINDER_EVENT_TYPES } from '@trellis/reminders';
import { COMPLIANCE_EVENT_TYPES } from '@trellis/platform';
import { CreateSubscriptionDto, SUBSCRIBABLE_EVENT_TYPES } from './subscription.dto';

const URL = 'https://warehouse.example.org/trellis/webhooks';

/** The constraints broken by `eventTypes` (the app's ValidationPipe options), or [] when valid. */
function eventTypesErrors(eventTypes: unknown): string[] {
  const dto = plainToInstance(CreateSubscriptionDto, { url: URL, eventTypes });
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  expect(errors.filter((e) => e.property !== 'eventTypes')).toEqual([]);
  return errors.flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('CreateSubscriptionDto.eventTypes', () => {
  it('offers exactly the catalog’s event types: the partnership’s, the reminders’, then the compliance stream’s', () => {
    expect(SUBSCRIBABLE_EVENT_TYPES).toEqual(EVENT_CATALOG.map((e) => e.type));
    expect(SUBSCRIBABLE_EVENT_TYPES).toEqual([...PARTNERSHIP_EVENT_TYPES, ...REMINDER_EVENT_TYPES, ...COMPLIANCE_EVENT_TYPES]);
  });

  it.each([
    ['the reminder type alone', ['ReminderIssued']],
    ['a partnership type and the reminder type', ['PartnershipProposed', 'ReminderIssued']],
    ['every catalog type', [...PARTNERSHIP_EVENT_TYPES, ...REMINDER_EVENT_TYPES]],
  ])('accepts %s', (_what, eventTypes) => {
    expect(eventTypesErrors(eventTypes)).toEqual([]);
  });

  it('accepts no filter at all (every type)', () => {
    expect(eventTypesErrors(undefined)).toEqual([]);
  });

  it.each([
    ['an unknown type', ['ReminderSent']],
    ['a type in the wrong case', ['reminderissued']],
    ['a CloudEvents type instead of an event type', ['trellis.ReminderIssued.v1']],
    ['a duplicate', ['ReminderIssued', 'ReminderIssued']],
    ['an empty list', []],
  ])('refuses %s', (_what, eventTypes) => {
    expect(eventTypesErrors(eventTypes)).not.toEqual([]);
  });

  it('names ReminderIssued among the allowed values when it refuses one', () => {
    expect(eventTypesErrors(['ReminderSent']).join(' ')).toMatch(/must be one of: .*PartnershipProposed.*ReminderIssued/);
  });
});
