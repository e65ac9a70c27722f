/** `GET /events/catalog` (AsyncAPI 3.0) and `GET /events/schemas/:type` (JSON Schema), DESIGN.md §6. */
import { Module } from '@nestjs/common';
import { EventCatalogController } from './event-catalog.controller';

const controllers = [EventCatalogController];

@Module({ controllers: [...controllers] })
export class EventCatalogModule {}
