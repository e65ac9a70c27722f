export * from './projection-specification';
export * from './test-log';
export * from './sql-test-schema';
export * as SignalScenarios from '../testing/signal-scenarios';
export * from './read-model-histories';
export * from './history-writer';
