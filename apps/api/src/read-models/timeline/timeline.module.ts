/**
 * Read model "Audit timeline" over HTTP: `GET /partnerships/:id/timeline` (JSON, or the page for a
 * client that prefers HTML) and `GET /partnerships/:id/timeline.html`. The page also shows the
 * partnership's reminders (the reminder store) and its chain verification (the event store).
 */
import { Module } from '@nestjs/common';
import { ReminderStoreModule } from '@trellis/reminders';
import { TimelinePageSource } from './html/timeline-page.source';
import { TimelineController } from './timeline.controller';
import { TimelineQuery } from './timeline.query';

const controllers = [TimelineController];
const queries = [TimelineQuery, TimelinePageSource];

@Module({ imports: [ReminderStoreModule], controllers: [...controllers], providers: [...queries] })
export class TimelineModule {}
