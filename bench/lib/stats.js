'use strict';
/**
 * Small statistics helpers. Latencies are kept as plain numbers (milliseconds); a 5-second round
 * at a few thousand appends/s is tens of thousands of samples, cheap to sort.
 */

/** Nearest-rank percentile (q in 0..1) of an ascending array; NaN when empty. */
function percentile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function median(values) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

function minMax(values) {
  const xs = values.filter((v) => Number.isFinite(v));
  return xs.length === 0 ? [Number.NaN, Number.NaN] : [Math.min(...xs), Math.max(...xs)];
}

/** Summary of one sample of latencies (ms). */
function latencySummary(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/** High-resolution clock in milliseconds. */
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

module.exports = { percentile, median, minMax, latencySummary, nowMs };
