/**
 * `npm run catalog:generate`: writes libs/integrations/src/catalog/event-schemas.generated.json, the
 * JSON Schemas of every event type and version, from the TypeScript types of the libraries that append
 * events (EVENT_SCHEMA_SOURCES: libs/domain's partnership events, then libs/reminders' reminder events).
 *   --check  exit 1 (writing nothing) when the committed file is not what would be generated
 *   --force  overwrite a published version whose shape changed (only before it was ever released)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EventSchemasFile } from '../libs/integrations/src/catalog/event-schemas';
import {
  CatalogGenerationError,
  EVENT_SCHEMA_SOURCES,
  EVENT_SCHEMAS_FILE,
  generateCurrentSchemas,
  mergeEventSchemas,
  REPOSITORY_ROOT,
  serializeEventSchemas,
} from '../libs/integrations/src/catalog/generation/event-schemas.generator';

const args = new Set(process.argv.slice(2));
const relative = path.relative(REPOSITORY_ROOT, EVENT_SCHEMAS_FILE);
const committed = existsSync(EVENT_SCHEMAS_FILE) ? readFileSync(EVENT_SCHEMAS_FILE, 'utf8') : undefined;
try {
  const text = serializeEventSchemas(
    mergeEventSchemas({
      previous: committed === undefined ? undefined : (JSON.parse(committed) as EventSchemasFile),
      current: generateCurrentSchemas(EVENT_SCHEMA_SOURCES),
      sources: EVENT_SCHEMA_SOURCES,
      force: args.has('--force'),
    }),
  );
  if (args.has('--check')) {
    if (text !== committed) {
      process.stderr.write(`${relative} is stale: run npm run catalog:generate\n`);
      process.exit(1);
    }
    process.stdout.write(`${relative} is up to date\n`);
  } else if (text === committed) {
    process.stdout.write(`${relative} is up to date\n`);
  } else {
    writeFileSync(EVENT_SCHEMAS_FILE, text);
    const count = EVENT_SCHEMA_SOURCES.reduce((n, source) => n + source.types.length, 0);
    process.stdout.write(`wrote ${relative} (${count} event types)\n`);
  }
} catch (error) {
  process.stderr.write(`${error instanceof CatalogGenerationError ? error.message : String(error)}\n`);
  process.exit(1);
}
