/**
 * Request bodies of `/subscriptions` (DESIGN.md §6), validated with the house decorators. The target
 * URL is checked here for syntax; whether its address is allowed is the WebhookTargetPolicy's call.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsNotEmpty, IsString, IsUUID, MaxLength, ValidateIf, registerDecorator } from 'class-validator';
import { EVENT_CATALOG, MAX_WEBHOOK_URL_LENGTH } from '@trellis/integrations';
import { IsOneOfList, IsText, LIMITS } from '../partnerships/dto/validation.decorators';

/**
 * Every event type a subscription may filter on: the published catalog's (the partnership's events,
 * `ReminderIssued`, then `PersonalDataErased`), the same list `GET /events?types=` accepts.
 */
export const SUBSCRIBABLE_EVENT_TYPES: readonly string[] = EVENT_CATALOG.map((entry) => entry.type);
export const MAX_SUBSCRIPTION_PARTNERSHIPS = LIMITS.list;
export const MAX_SUBSCRIPTION_DESCRIPTION = 500;

function HttpUrl() {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isHttpUrl',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be an absolute http:// or https:// URL' },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
          } catch {
            return false;
          }
        },
      },
    });
}

function IsWebhookUrl() {
  return applyDecorators(
    ApiProperty({ type: String, format: 'uri', maxLength: MAX_WEBHOOK_URL_LENGTH, example: 'https://warehouse.example.org/trellis/webhooks' }),
    IsString(),
    IsNotEmpty(),
    MaxLength(MAX_WEBHOOK_URL_LENGTH),
    HttpUrl(),
  );
}

function IsPartnershipIdList() {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', format: 'uuid' },
      minItems: 1,
      maxItems: MAX_SUBSCRIPTION_PARTNERSHIPS,
      uniqueItems: true,
      description: 'Only events of these partnerships (default: every partnership)',
    }),
    ValidateIf((_o: object, v: unknown) => v !== undefined),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_SUBSCRIPTION_PARTNERSHIPS),
    ArrayUnique((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id)),
    IsUUID('all', { each: true, message: 'each value in $property must be a partnership id (a UUID)' }),
  );
}

export class CreateSubscriptionDto {
  @IsWebhookUrl()
  url!: string;

  @IsOneOfList(SUBSCRIBABLE_EVENT_TYPES, { optional: true, description: 'Only these event types (default: every type)' })
  eventTypes?: string[];

  @IsPartnershipIdList()
  partnershipIds?: string[];

  @IsText(MAX_SUBSCRIPTION_DESCRIPTION, { optional: true, description: 'What the subscription is for' })
  description?: string;
}

export class PauseSubscriptionDto {
  @IsText(MAX_SUBSCRIPTION_DESCRIPTION, { optional: true, description: 'Why (shown as pausedReason)' })
  reason?: string;
}

export class ReplayDto {
  @ApiProperty({
    type: String,
    pattern: '^[0-9]{1,19}$',
    example: '1200',
    description: 'Inclusive: every matching event at or after this position is sent again (a decimal string; a number is accepted)',
  })
  @Allow() // its form is checked by the controller (a string or a number)
  fromPosition!: string | number;
}
