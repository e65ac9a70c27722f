/**
 * `GET /partnerships/:id/reminders` (DESIGN.md §8): the reminders scheduled for a partnership (pending
 * steps with their due time; while paused, the frozen ones with the time left) and the reminders
 * issued (its `ReminderIssued` events). Computed from the log's present, as the jobs re-check it.
 */
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PartnershipNotFound, partnershipStreamId } from '@trellis/domain';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { readReminders, REMINDER_CONFIG, ReminderStateStore, type ReminderConfig, type RemindersView } from '@trellis/reminders';
import { READERS, Roles } from '../auth/auth.decorators';
import { parsePartnershipId } from '../http/request-parsing';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { REMINDERS_VIEW_SCHEMA } from './reminders.openapi';

@ApiTags('Reminders')
@ApiBearerAuth()
@Controller('partnerships')
export class RemindersController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReminderStateStore) private readonly states: ReminderStateStore,
    @Inject(REMINDER_CONFIG) private readonly config: ReminderConfig,
  ) {}

  @Get(':id/reminders')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Reminders of a partnership',
    description:
      'The reminder policies (R-01 … R-18) applied to the partnership now. `scheduled`: every pending step with its due time ' +
      '(durations scaled by REMINDER_TIME_SCALE and pushed back by pauses for the clocks that freeze; a due time in the past ' +
      'is about to fire) and, while the partnership is paused, the frozen steps with the time left when it resumes. ' +
      '`issued`: the ReminderIssued events of `reminders-<partnershipId>`, newest first (at most 500). Recipients are roles; ' +
      'people are resolved only when e-mails are sent. 404 for a partnership that does not exist.',
  })
  @ApiParam({ name: 'id', description: 'Partnership id (UUID)' })
  @ApiProduces('application/json')
  @ApiResponse({ status: 200, description: 'Scheduled and issued reminders', schema: REMINDERS_VIEW_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async reminders(@Param('id') rawId: string): Promise<RemindersView> {
    const id = parsePartnershipId(rawId);
    if (!(await this.store.streamHead(partnershipStreamId(id)))) throw new PartnershipNotFound(`Partnership ${id} does not exist`);
    return readReminders(this.store, this.states, this.config.settings, id);
  }
}
