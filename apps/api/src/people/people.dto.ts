/**
 * Bodies of the people routes, validated with class-validator like the commands (every bad field
 * named in one 400). A name and an address are all the vault holds about a person.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ERASURE_REASONS, type ErasureReason } from '@trellis/platform';

export const DISPLAY_NAME_MAX = 200;
/** RFC 5321's limit on a forward path. */
export const EMAIL_MAX = 254;

export class RegisterPersonDto {
  @ApiProperty({ minLength: 1, maxLength: DISPLAY_NAME_MAX, example: 'Ana Lucía Pérez', description: 'How views name the person (personal data: stored encrypted)' })
  @IsString()
  @Length(1, DISPLAY_NAME_MAX)
  @Matches(/\S/, { message: 'displayName must not be blank' })
  displayName!: string;

  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX, example: 'ana.perez@district.example', description: 'Where reminders reach the person (personal data: stored encrypted)' })
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail({ allow_display_name: false, allow_ip_domain: false }, { message: 'email must be an e-mail address' })
  email!: string;
}

export class ErasePersonDto {
  @ApiPropertyOptional({
    enum: ERASURE_REASONS,
    description: 'Why (a closed list: the reason is recorded in the immutable log, so it must never hold personal data)',
  })
  @IsOptional()
  @IsIn(ERASURE_REASONS)
  reason?: ErasureReason;
}
