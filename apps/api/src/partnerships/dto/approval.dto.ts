import type { Approval } from '@trellis/domain';
import { IsClientId, IsText, LIMITS } from './validation.decorators';

/** One approval of a pilot or study by an organization (district research office, IRB, school board…). */
export class ApprovalDto implements Approval {
  @IsClientId({ description: 'The approving organization (for pilots: the site).' })
  organizationId!: string;

  @IsText(LIMITS.shortText, { description: 'Kind of approval, e.g. district research review, IRB, principal.' })
  kind!: string;

  @IsText(LIMITS.shortText, { description: 'Reference of the approval (protocol or letter number).' })
  ref!: string;
}
