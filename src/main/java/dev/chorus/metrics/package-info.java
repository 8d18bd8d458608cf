/**
 * Counters and gauges (Micrometer), their Prometheus text, and the figures a dashboard reads.
 * Depends on no other Chorus package: others report to it with plain ids and numbers.
 */
package dev.chorus.metrics;
