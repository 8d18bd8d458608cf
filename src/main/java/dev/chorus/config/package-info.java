/**
 * The CDI composition root: the only place that knows every other package. It builds each role once,
 * through constructors, and produces them for injection; nothing reaches through it.
 */
package dev.chorus.config;
