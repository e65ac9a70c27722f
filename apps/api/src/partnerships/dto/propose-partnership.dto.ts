import { INITIATION_MODES, PARTNERSHIP_TYPES, type InitiationMode, type PartnershipType, type ProposePartnershipData } from '@trellis/domain';
import { IsOneOf, IsOneOfList, IsText, LIMITS } from './validation.decorators';

/** Body of `POST /partnerships`: proposes a partnership, which starts in `exploring`. */
export class ProposePartnershipDto implements ProposePartnershipData {
  @IsText(LIMITS.shortText, { description: 'Name of the partnership.' })
  name!: string;

  @IsOneOf(INITIATION_MODES, { description: 'Who initiated the partnership.' })
  initiationMode!: InitiationMode;

  @IsText(LIMITS.longText, { description: 'The shared focus, e.g. the problem area the partners want to work on.' })
  focus!: string;

  @IsOneOfList(PARTNERSHIP_TYPES, { min: 0, optional: true, description: 'Kinds of partnership (several may apply).' })
  types?: PartnershipType[];
}
