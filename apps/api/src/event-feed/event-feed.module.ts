/** `GET /events` (pages of envelopes) and `GET /events/stream` (Server-Sent Events), DESIGN.md §6. */
import { Module } from '@nestjs/common';
import { EventFeedController } from './event-feed.controller';
import { DEFAULT_EVENT_FEED_OPTIONS, EVENT_FEED_OPTIONS, EventFeedQuery } from './event-feed.query';
import { EventStreams } from './event-streams';
import { EventVisibility } from './event-visibility';

const controllers = [EventFeedController];
const readers = [EventFeedQuery, EventStreams];
const policies = [EventVisibility];
const options = [{ provide: EVENT_FEED_OPTIONS, useValue: DEFAULT_EVENT_FEED_OPTIONS }];

@Module({ controllers: [...controllers], providers: [...readers, ...policies, ...options] })
export class EventFeedModule {}
