/** Read model "Broker network": projection, document and the query-time view. */
export { BROKER_NETWORK, BROKER_NETWORK_EVENT_TYPES, brokerNetworkProjection } from './broker-network.projection';
export type {
  Bridge as BrokerBridge,
  Broker as BrokerEntry,
  BrokerNetworkDocument,
  KindCounts as BrokeringKindCounts,
  NetworkOrganization as BrokerNetworkOrganization,
} from './broker-network.document';
export {
  BROKER_INACTIVITY_DAYS,
  brokerNetworkView,
  type BridgeView,
  type BrokerNetworkView,
  type BrokerView,
  type OrganizationPairView,
  type SingleBrokerPairView,
} from './broker-network.view';
