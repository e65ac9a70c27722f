/** `GET /events` (pages of envelopes) and `GET /events/stream` (Server-Sent Events), DESIGN.md §6. */
import { Module } from '@nestjs/common';

@Module({})
export class EventFeedModule {}
