/**
 * Who a reminder is for, as participants of the partnership: its recipient roles resolved against
 * the partnership's current state (the roles are explained in `reminder.policies.ts`). Pure. Only
 * active members count — joined, not departed, acting for an organization that has not withdrawn —
 * so a departed person is never contacted. Participants are pseudonymous ids; turning them into
 * addresses is a `RecipientResolver`'s job (the people vault, when it exists).
 */
import { isActiveMember, isPartnership, lookup, type Partnership, type PartnershipState } from '@trellis/domain';
import type { ReminderRecipientRole } from '../reminder.policies';

export interface AudienceMember {
  readonly role: ReminderRecipientRole;
  readonly participantId: string;
  readonly organizationId: string;
  readonly personId?: string;
}

export interface AudienceTarget {
  readonly recipientRoles: readonly ReminderRecipientRole[];
  readonly workstreamId?: string;
  /** The organizations an org-scoped role refers to (DSA parties, the departed's organization, …). */
  readonly organizationIds?: readonly string[];
}

const PRACTICE_SIDES = new Set(['practice', 'community']);

export function reminderAudience(state: PartnershipState, target: AudienceTarget): AudienceMember[] {
  if (!isPartnership(state)) return [];
  const out: AudienceMember[] = [];
  const seen = new Set<string>();
  for (const role of target.recipientRoles) {
    for (const participantId of candidates(state, role, target)) {
      const key = `${role} ${participantId}`;
      if (seen.has(key) || !isActiveMember(state, participantId)) continue;
      seen.add(key);
      const p = lookup(state.participants, participantId)!;
      out.push({ role, participantId, organizationId: p.organizationId, ...(p.personId !== undefined ? { personId: p.personId } : {}) });
    }
  }
  return out;
}

function candidates(s: Partnership, role: ReminderRecipientRole, target: AudienceTarget): string[] {
  const ws = target.workstreamId;
  const orgs = new Set(target.organizationIds ?? []);
  const coLeads = [...(s.agreement?.coLeadParticipantIds ?? [])];
  const leadsOf = (workstreamId: string | undefined) => [...(lookup(s.workstreams, workstreamId)?.leadParticipantIds ?? [])];
  const allLeads = () => [...coLeads, ...Object.values(s.workstreams).flatMap((w) => w.leadParticipantIds)];
  const orgOf = (id: string) => lookup(s.participants, id)?.organizationId;
  const sideOf = (id: string) => lookup(s.organizations, orgOf(id))?.side;
  const inOrgs = (id: string) => orgs.has(orgOf(id) ?? '');
  const members = () => Object.keys(s.participants);
  switch (role) {
    case 'initiator':
      return []; // no event data names who proposed the partnership
    case 'co_leads':
      return coLeads;
    case 'workstream_leads':
      return leadsOf(ws);
    case 'workstream_participants':
      return ws === undefined ? [] : workstreamParticipants(s, ws);
    case 'brokers':
      return members().filter((id) => lookup(s.participants, id)!.roles.includes('broker'));
    case 'practice_side_leads':
      return (ws !== undefined ? leadsOf(ws) : coLeads).filter((id) => PRACTICE_SIDES.has(sideOf(id) ?? ''));
    case 'practice_side_reviewers':
      return members().filter((id) => inOrgs(id) && PRACTICE_SIDES.has(sideOf(id) ?? ''));
    case 'data_stewards':
    case 'recipient_leads':
      // The domain has no data-steward role: the leads acting for those organizations stand for it.
      return allLeads().filter(inOrgs);
    case 'organization_members':
      return members().filter(inOrgs);
  }
}

/** Everyone named in the workstream's events: leads, proposers, agreers, contributors, co-designers, revisers, conveners, attendees. */
function workstreamParticipants(s: Partnership, ws: string): string[] {
  const ids = [...(lookup(s.workstreams, ws)?.leadParticipantIds ?? [])];
  for (const p of Object.values(s.problems)) if (p.workstreamId === ws) ids.push(...p.proposedByParticipantIds);
  for (const a of Object.values(s.agendas)) if (a.workstreamId === ws) ids.push(...a.agreedByParticipantIds);
  for (const r of Object.values(s.evidenceReviews)) if (r.workstreamId === ws) ids.push(...r.contributorParticipantIds);
  for (const t of Object.values(s.tools)) for (const v of t.versions) if (v.workstreamId === ws) ids.push(...v.participantIds);
  for (const i of Object.values(s.inputs)) if (i.workstreamId === ws && i.convenedByParticipantId !== undefined) ids.push(i.convenedByParticipantId);
  for (const f of Object.values(s.findings)) if (f.workstreamId === ws) for (const session of f.interpretations) ids.push(...session.attendeeParticipantIds);
  return [...new Set(ids)];
}
