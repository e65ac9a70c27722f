/** Request DTOs of the membership commands: organizations and participants joining and leaving. */
import {
  ORG_TYPES,
  ROLES,
  SIDES,
  type ChangeParticipantRolesData,
  type DepartParticipantData,
  type JoinOrganizationData,
  type JoinParticipantData,
  type OrgType,
  type Role,
  type Side,
  type WithdrawOrganizationData,
} from '@trellis/domain';
import { IsClientId, IsOneOf, IsOneOfList, IsText, LIMITS } from './validation.decorators';

/** `JoinOrganization`: an organization joins the partnership on one side. */
export class JoinOrganizationDto implements JoinOrganizationData {
  @IsClientId({ description: 'New organization id, unique in the partnership.' })
  organizationId!: string;

  @IsText(LIMITS.shortText, { description: 'Name of the organization.' })
  name!: string;

  @IsOneOf(ORG_TYPES)
  orgType!: OrgType;

  @IsOneOf(SIDES, { description: 'The side of the partnership the organization sits on.' })
  side!: Side;

  @IsClientId({ optional: true, description: 'A member organization this one belongs to (a school in its district).' })
  parentOrganizationId?: string;
}

/** `WithdrawOrganization`: a member organization leaves; its participants stop being active. */
export class WithdrawOrganizationDto implements WithdrawOrganizationData {
  @IsClientId()
  organizationId!: string;

  @IsText(LIMITS.longText)
  reason!: string;
}

/** `JoinParticipant`: a person joins for a member organization, known only by a pseudonymous id. */
export class JoinParticipantDto implements JoinParticipantData {
  @IsClientId({ description: 'New pseudonymous participant id, unique in the partnership.' })
  participantId!: string;

  @IsClientId()
  organizationId!: string;

  @IsOneOfList(ROLES, { description: 'Roles held (several allowed; brokering is usually a second hat).' })
  roles!: Role[];

  @IsClientId({ optional: true, description: 'The people-vault id holding name and e-mail (never sent in events).' })
  personId?: string;
}

/** `ChangeParticipantRoles`: replaces an active participant's roles. */
export class ChangeParticipantRolesDto implements ChangeParticipantRolesData {
  @IsClientId()
  participantId!: string;

  @IsOneOfList(ROLES, { description: 'The complete new set of roles.' })
  roles!: Role[];
}

/** `DepartParticipant`: a participant leaves, optionally handing over to a successor. */
export class DepartParticipantDto implements DepartParticipantData {
  @IsClientId()
  participantId!: string;

  @IsText(LIMITS.longText)
  reason!: string;

  @IsClientId({ optional: true, description: 'Another active participant who takes over.' })
  successorParticipantId?: string;
}
