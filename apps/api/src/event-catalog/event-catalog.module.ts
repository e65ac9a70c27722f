/** `GET /events/catalog` (AsyncAPI 3.0) and `GET /events/schemas/:type` (JSON Schema), DESIGN.md §6. */
import { Module } from '@nestjs/common';

@Module({})
export class EventCatalogModule {}
