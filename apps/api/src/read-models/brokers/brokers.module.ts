/** Read model "Broker network" over HTTP: `GET /partnerships/:id/brokers`. */
import { Module } from '@nestjs/common';
import { BrokerNetworkController } from './broker-network.controller';
import { BrokerNetworkQuery } from './broker-network.query';

const controllers = [BrokerNetworkController];
const queries = [BrokerNetworkQuery];

@Module({ controllers: [...controllers], providers: [...queries] })
export class BrokersModule {}
