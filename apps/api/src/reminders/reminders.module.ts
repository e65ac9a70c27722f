/** Reminders over HTTP: `GET /partnerships/:id/reminders`. The workers are `RemindersModule` of @trellis/reminders. */
import { Module } from '@nestjs/common';
import { ReminderStoreModule } from '@trellis/reminders';
import { RemindersController } from './reminders.controller';

@Module({ imports: [ReminderStoreModule], controllers: [RemindersController] })
export class RemindersApiModule {}
