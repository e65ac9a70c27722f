/**
 * Process-wide Prometheus instruments (DESIGN.md §10), one set per process whatever the number of
 * Nest applications in it (the tests start many): counters and histograms that code paths update as
 * they run. Each api process serves its own at `GET /metrics`, beside the gauges read at scrape time
 * from the shared stores (projection lag, queue depth, deliveries), which every replica reports alike.
 * Worker processes have no HTTP port: what they count is visible when workers run inside the api
 * process (`RUN_WORKERS=true`, the single-machine default); the shared gauges cover the rest.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const processMetrics = new Registry();
collectDefaultMetrics({ register: processMetrics, prefix: 'trellis_' });

/** Seconds; from 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: 'trellis_http_request_duration_seconds',
  help: 'HTTP requests by method, route template and status code class',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [processMetrics],
});

export const commandDuration = new Histogram({
  name: 'trellis_command_duration_seconds',
  help: 'Partnership commands, from validation to the stored response, by command type and outcome (recorded, refused, conflict, error)',
  labelNames: ['type', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [processMetrics],
});

export const eventsAppended = new Counter({
  name: 'trellis_events_appended_total',
  help: 'Events appended by partnership commands in this process, by event type',
  labelNames: ['type'] as const,
  registers: [processMetrics],
});

export const webhookAttempts = new Counter({
  name: 'trellis_webhook_attempts_total',
  help: 'Webhook delivery attempts made by this process, by outcome (delivered, retry, dead_lettered)',
  labelNames: ['outcome'] as const,
  registers: [processMetrics],
});

export const remindersIssued = new Counter({
  name: 'trellis_reminders_issued_total',
  help: 'Reminders issued (ReminderIssued appended) by this process, by policy',
  labelNames: ['policy'] as const,
  registers: [processMetrics],
});
