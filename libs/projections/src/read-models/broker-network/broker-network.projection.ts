/**
 * Read model "Broker network" (DOMAIN.md; research §4.5), projection `broker_network`: one
 * `BrokerNetworkDocument` per partnership in `docs` (key = partnershipId), read by the API through
 * the view `<schema>.rm_broker_network_docs`. Pairs bridged by a single broker, unconnected
 * organizations and inactive brokers are derived at query time (broker-network.view.ts).
 */
import { documentProjection } from '../../core/document-projection';
import { partnershipIdOf } from '../../signals/event-access';
import { evolveBrokerNetworkDocument, initialBrokerNetworkDocument, type BrokerNetworkDocument } from './broker-network.document';

export const BROKER_NETWORK = 'broker_network';

export const BROKER_NETWORK_EVENT_TYPES = [
  'PartnershipProposed',
  'PartnershipFormalized',
  'PartnershipStatusChanged',
  'PartnershipClosed',
  'PartnershipAbandoned',
  'OrganizationJoined',
  'OrganizationWithdrew',
  'ParticipantJoined',
  'ParticipantRolesChanged',
  'ParticipantDeparted',
  'BrokeringActivityRecorded',
] as const;


export const brokerNetworkProjection = documentProjection<BrokerNetworkDocument>({
  name: BROKER_NETWORK,
  version: 1,
  eventTypes: BROKER_NETWORK_EVENT_TYPES,
  key: partnershipIdOf,
  initial: (key) => initialBrokerNetworkDocument(key),
  evolve: (doc, e) => evolveBrokerNetworkDocument(doc, e),
});
