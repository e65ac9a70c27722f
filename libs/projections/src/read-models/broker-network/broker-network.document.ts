/**
 * The broker network of one partnership (DOMAIN.md "Broker network"; research §4.5), as stored:
 * organizations, who acts for which organization, and for every broker — a participant who holds
 * `broker` or has recorded brokering — the organizations they bridged, from → to, with counts by
 * activity kind and the last date. Departed brokers stay, marked departed.
 *
 * Bounded by the partnership's membership (participants, organizations and organization pairs),
 * not by its history: activities are counted, never listed. `evolve` is pure and total.
 */
import { lookup, type BrokeringActivityKind, type OrgType, type PartnershipEvent, type PartnershipStatus, type Role, type Side } from '@trellis/domain';
import type { RecordedEvent } from '@trellis/event-store';

export interface NetworkOrganization {
  readonly name: string;
  readonly orgType: OrgType;
  readonly side: Side;
  readonly withdrawn: boolean;
}

export type KindCounts = Readonly<Partial<Record<BrokeringActivityKind, number>>>;

export interface Bridge {
  readonly fromOrganizationId: string;
  readonly toOrganizationId: string;
  readonly count: number;
  readonly byKind: KindCounts;
  readonly firstOn: string;
  readonly lastOn: string;
}

export interface Broker {
  readonly participantId: string;
  readonly organizationId: string;
  /** Holds the `broker` role now (recognised); false for someone who brokered without it, or lost it. */
  readonly recognized: boolean;
  /** When the `broker` role was (last) taken on. */
  readonly recognizedOn?: string;
  readonly departed: boolean;
  readonly departedOn?: string;
  readonly successorParticipantId?: string;
  readonly activityCount: number;
  readonly firstActivityOn?: string;
  readonly lastActivityOn?: string;
  readonly byKind: KindCounts;
  /** In the order first bridged. */
  readonly bridges: readonly Bridge[];
}

export interface BrokerNetworkDocument {
  readonly partnershipId: string;
  readonly name: string;
  readonly status: PartnershipStatus | 'none';
  readonly organizations: Readonly<Record<string, NetworkOrganization>>;
  /** The organization every participant acts for (to place a broker who gains the role later). */
  readonly members: Readonly<Record<string, string>>;
  readonly brokers: Readonly<Record<string, Broker>>;
}

export const initialBrokerNetworkDocument = (partnershipId: string): BrokerNetworkDocument => ({
  partnershipId,
  name: '',
  status: 'none',
  organizations: {},
  members: {},
  brokers: {},
});

const occurredOn = (e: RecordedEvent): string | undefined => {
  const at = e.metadata['occurredAt'] ?? e.metadata['recordedAt'];
  return typeof at === 'string' ? at.slice(0, 10) : undefined;
};
const holdsBroker = (roles: readonly Role[] | undefined): boolean => Array.isArray(roles) && roles.includes('broker');
const later = (a: string | undefined, b: string): string => (a === undefined || b > a ? b : a);
const earlier = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);
const plusOne = (counts: KindCounts, kind: BrokeringActivityKind): KindCounts => ({ ...counts, [kind]: (counts[kind] ?? 0) + 1 });

function newBroker(participantId: string, organizationId: string): Broker {
  return { participantId, organizationId, recognized: false, departed: false, activityCount: 0, byKind: {}, bridges: [] };
}

export function evolveBrokerNetworkDocument(doc: BrokerNetworkDocument, recorded: RecordedEvent): BrokerNetworkDocument {
  const event = recorded as unknown as PartnershipEvent;
  if (typeof event.data !== 'object' || event.data === null) return doc;
  const on = occurredOn(recorded);
  if (doc.status === 'none') {
    return event.type === 'PartnershipProposed' ? { ...doc, name: event.data.name, status: 'exploring' } : doc;
  }
  switch (event.type) {
    case 'OrganizationJoined': {
      const { organizationId, name, orgType, side } = event.data;
      if (lookup(doc.organizations, organizationId)) return doc;
      return { ...doc, organizations: { ...doc.organizations, [organizationId]: { name, orgType, side, withdrawn: false } } };
    }
    case 'OrganizationWithdrew': {
      const o = lookup(doc.organizations, event.data.organizationId);
      return o ? { ...doc, organizations: { ...doc.organizations, [event.data.organizationId]: { ...o, withdrawn: true } } } : doc;
    }
    case 'ParticipantJoined': {
      const { participantId, organizationId, roles } = event.data;
      if (lookup(doc.members, participantId)) return doc;
      const next = { ...doc, members: { ...doc.members, [participantId]: organizationId } };
      if (!holdsBroker(roles)) return next;
      const broker: Broker = { ...newBroker(participantId, organizationId), recognized: true, ...(on ? { recognizedOn: on } : {}) };
      return { ...next, brokers: { ...next.brokers, [participantId]: broker } };
    }
    case 'ParticipantRolesChanged': {
      const { participantId, roles } = event.data;
      const organizationId = lookup(doc.members, participantId);
      const current = lookup(doc.brokers, participantId);
      const nowBroker = holdsBroker(roles);
      if (current === undefined) {
        if (!nowBroker || organizationId === undefined) return doc;
        const broker: Broker = { ...newBroker(participantId, organizationId), recognized: true, ...(on ? { recognizedOn: on } : {}) };
        return { ...doc, brokers: { ...doc.brokers, [participantId]: broker } };
      }
      if (current.recognized === nowBroker) return doc;
      const changed: Broker = nowBroker ? { ...current, recognized: true, ...(on ? { recognizedOn: on } : {}) } : { ...current, recognized: false };
      return { ...doc, brokers: { ...doc.brokers, [participantId]: changed } };
    }
    case 'ParticipantDeparted': {
      const { participantId, successorParticipantId } = event.data;
      const current = lookup(doc.brokers, participantId);
      if (!current) return doc;
      const departed: Broker = {
        ...current,
        departed: true,
        ...(on ? { departedOn: on } : {}),
        ...(successorParticipantId !== undefined ? { successorParticipantId } : {}),
      };
      return { ...doc, brokers: { ...doc.brokers, [participantId]: departed } };
    }
    case 'BrokeringActivityRecorded': {
      const { brokerParticipantId, fromOrganizationId, toOrganizationId, activityKind } = event.data;
      const current =
        lookup(doc.brokers, brokerParticipantId) ?? newBroker(brokerParticipantId, lookup(doc.members, brokerParticipantId) ?? '');
      const date = on ?? current.lastActivityOn ?? '';
      const i = current.bridges.findIndex((b) => b.fromOrganizationId === fromOrganizationId && b.toOrganizationId === toOrganizationId);
      const bridges = [...current.bridges];
      if (i < 0) bridges.push({ fromOrganizationId, toOrganizationId, count: 1, byKind: plusOne({}, activityKind), firstOn: date, lastOn: date });
      else {
        const b = bridges[i]!;
        bridges[i] = { ...b, count: b.count + 1, byKind: plusOne(b.byKind, activityKind), firstOn: earlier(b.firstOn, date), lastOn: later(b.lastOn, date) };
      }
      const broker: Broker = {
        ...current,
        activityCount: current.activityCount + 1,
        firstActivityOn: earlier(current.firstActivityOn, date),
        lastActivityOn: later(current.lastActivityOn, date),
        byKind: plusOne(current.byKind, activityKind),
        bridges,
      };
      return { ...doc, brokers: { ...doc.brokers, [brokerParticipantId]: broker } };
    }
    case 'PartnershipFormalized':
      return { ...doc, status: 'active' };
    case 'PartnershipStatusChanged':
      return { ...doc, status: event.data.toStatus };
    case 'PartnershipClosed':
      return { ...doc, status: 'closed' };
    case 'PartnershipAbandoned':
      return { ...doc, status: 'abandoned' };
    default:
      return doc;
  }
}
