/** Ajv set up for the catalog's tests: draft-07, strict (an unknown keyword is an error), formats. */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { AsyncApiDocument } from '../asyncapi';
import type { JsonSchema } from '../event-schemas';

export function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** Validates against one published schema; returns Ajv's error text, or undefined when valid. */
export function validationErrors(validate: ValidateFunction, value: unknown): string | undefined {
  return validate(value) ? undefined : new Ajv().errorsText(validate.errors, { separator: '; ' });
}

const DOCUMENT_ID = 'urn:trellis:test:asyncapi';

/**
 * Compiles schemas inside an AsyncAPI document by JSON pointer (`/components/messages/X/payload`),
 * resolving its `#/components/…` references as an integrator's tooling would.
 */
export function asyncApiSchemas(document: AsyncApiDocument): (pointer: string) => ValidateFunction {
  // The document itself is not a schema: its top-level members (asyncapi, info, channels) are unknown keywords.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document as unknown as JsonSchema, DOCUMENT_ID);
  return (pointer) => {
    const validate = ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
    if (!validate) throw new Error(`No schema at ${pointer}`);
    return validate;
  };
}
