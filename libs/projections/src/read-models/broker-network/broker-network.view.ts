/**
 * The broker network as readers see it at a given "now" (injected, never the clock): each broker
 * with the organizations they bridged; organization pairs and how many brokers connect each — a
 * pair connected through ONE broker only is fragile (research §4.5 "dependency risk", more so when
 * that broker has departed); organizations no brokering connects to any other; recognised brokers
 * with no brokering in 180 days (W-02); and totals.
 */
import { BROKERING_ACTIVITY_KINDS, type BrokeringActivityKind } from '@trellis/domain';
import type { Broker, BrokerNetworkDocument, KindCounts } from './broker-network.document';

/** W-02: a recognised broker with no brokering in this many days is inactive. */
export const BROKER_INACTIVITY_DAYS = 180;

export interface BridgeView {
  fromOrganizationId: string;
  toOrganizationId: string;
  count: number;
  byKind: Partial<Record<BrokeringActivityKind, number>>;
  firstOn: string;
  lastOn: string;
}

export interface BrokerView {
  participantId: string;
  organizationId: string;
  organizationName: string | null;
  recognized: boolean;
  recognizedOn: string | null;
  departed: boolean;
  departedOn: string | null;
  successorParticipantId: string | null;
  /** Not departed, and their organization has not withdrawn. */
  active: boolean;
  activityCount: number;
  firstActivityOn: string | null;
  lastActivityOn: string | null;
  daysSinceLastActivity: number | null;
  /** Recognised, active, and no brokering in BROKER_INACTIVITY_DAYS (counted from recognition when they never brokered). */
  inactive: boolean;
  byKind: Partial<Record<BrokeringActivityKind, number>>;
  organizationsBridged: string[];
  bridges: BridgeView[];
}

export interface OrganizationPairView {
  /** The two organizations, in id order (the pair is unordered). */
  organizationIds: [string, string];
  brokerParticipantIds: string[];
  activityCount: number;
  lastOn: string;
}

export interface SingleBrokerPairView {
  organizationIds: [string, string];
  brokerParticipantId: string;
  brokerDeparted: boolean;
  brokerActive: boolean;
  activityCount: number;
  lastOn: string;
}

export interface BrokerNetworkView {
  partnershipId: string;
  partnershipName: string;
  partnershipStatus: string;
  asOf: string;
  inactivityDays: number;
  organizations: Array<{ organizationId: string; name: string; orgType: string; side: string; withdrawn: boolean; brokerCount: number }>;
  brokers: BrokerView[];
  pairs: OrganizationPairView[];
  singleBrokerPairs: SingleBrokerPairView[];
  unconnectedOrganizations: Array<{ organizationId: string; name: string; side: string }>;
  inactiveBrokers: Array<{ participantId: string; organizationId: string; lastActivityOn: string | null; inactiveSince: string | null }>;
  totals: {
    brokers: number;
    recognizedBrokers: number;
    activeRecognizedBrokers: number;
    departedBrokers: number;
    inactiveBrokers: number;
    activities: number;
    byKind: Partial<Record<BrokeringActivityKind, number>>;
    organizations: number;
    pairs: number;
    singleBrokerPairs: number;
    unconnectedOrganizations: number;
  };
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date.slice(0, 10)}T00:00:00.000Z`) / DAY_MS;
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortedKinds = (counts: KindCounts): Partial<Record<BrokeringActivityKind, number>> =>
  Object.fromEntries(BROKERING_ACTIVITY_KINDS.filter((k) => (counts[k] ?? 0) > 0).map((k) => [k, counts[k]!]));

export function brokerNetworkView(doc: BrokerNetworkDocument, now: Date, inactivityDays = BROKER_INACTIVITY_DAYS): BrokerNetworkView {
  const today = now.toISOString().slice(0, 10);
  const orgs = doc.organizations;
  const orgOf = (id: string) => (Object.hasOwn(orgs, id) ? orgs[id] : undefined);
  const brokers = Object.values(doc.brokers).sort((a, b) => byId(a.participantId, b.participantId)).map((b) => brokerView(b, today, inactivityDays, orgOf(b.organizationId)));

  // Unordered organization pairs, and who connects each (a broker bridging an organization to itself connects no pair).
  const pairs = new Map<string, { ids: [string, string]; brokers: Set<string>; count: number; lastOn: string }>();
  for (const b of Object.values(doc.brokers)) {
    for (const bridge of b.bridges) {
      if (bridge.fromOrganizationId === bridge.toOrganizationId) continue;
      const ids = [bridge.fromOrganizationId, bridge.toOrganizationId].sort(byId) as [string, string];
      const key = JSON.stringify(ids);
      const pair = pairs.get(key) ?? { ids, brokers: new Set<string>(), count: 0, lastOn: bridge.lastOn };
      pair.brokers.add(b.participantId);
      pair.count += bridge.count;
      if (bridge.lastOn > pair.lastOn) pair.lastOn = bridge.lastOn;
      pairs.set(key, pair);
    }
  }
  const pairViews: OrganizationPairView[] = [...pairs.values()]
    .map((p) => ({ organizationIds: p.ids, brokerParticipantIds: [...p.brokers].sort(byId), activityCount: p.count, lastOn: p.lastOn }))
    .sort((a, b) => byId(a.organizationIds[0], b.organizationIds[0]) || byId(a.organizationIds[1], b.organizationIds[1]));
  const brokerById = new Map(brokers.map((b) => [b.participantId, b]));
  const singleBrokerPairs: SingleBrokerPairView[] = pairViews
    .filter((p) => p.brokerParticipantIds.length === 1)
    .map((p) => {
      const broker = brokerById.get(p.brokerParticipantIds[0]!)!;
      return { organizationIds: p.organizationIds, brokerParticipantId: broker.participantId, brokerDeparted: broker.departed, brokerActive: broker.active, activityCount: p.activityCount, lastOn: p.lastOn };
    });

  const connected = new Set(pairViews.flatMap((p) => p.organizationIds));
  const brokerCount = new Map<string, number>();
  for (const b of brokers) brokerCount.set(b.organizationId, (brokerCount.get(b.organizationId) ?? 0) + 1);
  const organizations = Object.entries(orgs)
    .sort(([a], [b]) => byId(a, b))
    .map(([organizationId, o]) => ({ organizationId, name: o.name, orgType: o.orgType, side: o.side, withdrawn: o.withdrawn, brokerCount: brokerCount.get(organizationId) ?? 0 }));
  const unconnectedOrganizations = organizations.filter((o) => !o.withdrawn && !connected.has(o.organizationId)).map(({ organizationId, name, side }) => ({ organizationId, name, side }));
  const inactiveBrokers = brokers
    .filter((b) => b.inactive)
    .map((b) => ({ participantId: b.participantId, organizationId: b.organizationId, lastActivityOn: b.lastActivityOn, inactiveSince: b.lastActivityOn ?? b.recognizedOn }));

  const byKind: Record<string, number> = {};
  for (const b of Object.values(doc.brokers)) for (const [k, n] of Object.entries(b.byKind)) byKind[k] = (byKind[k] ?? 0) + (n ?? 0);

  return {
    partnershipId: doc.partnershipId,
    partnershipName: doc.name,
    partnershipStatus: doc.status,
    asOf: now.toISOString(),
    inactivityDays,
    organizations,
    brokers,
    pairs: pairViews,
    singleBrokerPairs,
    unconnectedOrganizations,
    inactiveBrokers,
    totals: {
      brokers: brokers.length,
      recognizedBrokers: brokers.filter((b) => b.recognized).length,
      activeRecognizedBrokers: brokers.filter((b) => b.recognized && b.active).length,
      departedBrokers: brokers.filter((b) => b.departed).length,
      inactiveBrokers: inactiveBrokers.length,
      activities: brokers.reduce((n, b) => n + b.activityCount, 0),
      byKind: sortedKinds(byKind),
      organizations: organizations.length,
      pairs: pairViews.length,
      singleBrokerPairs: singleBrokerPairs.length,
      unconnectedOrganizations: unconnectedOrganizations.length,
    },
  };
}

function brokerView(b: Broker, today: string, inactivityDays: number, org: { name: string; withdrawn: boolean } | undefined): BrokerView {
  const active = !b.departed && !(org?.withdrawn ?? false);
  const daysSinceLastActivity = b.lastActivityOn === undefined ? null : Math.round(dayNumber(today) - dayNumber(b.lastActivityOn));
  const reference = b.lastActivityOn ?? b.recognizedOn;
  const inactive = b.recognized && active && reference !== undefined && dayNumber(today) - dayNumber(reference) > inactivityDays;
  const bridged = new Set<string>();
  for (const bridge of b.bridges) bridged.add(bridge.fromOrganizationId).add(bridge.toOrganizationId);
  return {
    participantId: b.participantId,
    organizationId: b.organizationId,
    organizationName: org?.name ?? null,
    recognized: b.recognized,
    recognizedOn: b.recognizedOn ?? null,
    departed: b.departed,
    departedOn: b.departedOn ?? null,
    successorParticipantId: b.successorParticipantId ?? null,
    active,
    activityCount: b.activityCount,
    firstActivityOn: b.firstActivityOn ?? null,
    lastActivityOn: b.lastActivityOn ?? null,
    daysSinceLastActivity,
    inactive,
    byKind: sortedKinds(b.byKind),
    organizationsBridged: [...bridged].sort(byId),
    bridges: b.bridges.map((x) => ({ fromOrganizationId: x.fromOrganizationId, toOrganizationId: x.toOrganizationId, count: x.count, byKind: sortedKinds(x.byKind), firstOn: x.firstOn, lastOn: x.lastOn })),
  };
}
