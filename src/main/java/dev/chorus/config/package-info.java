/** The CDI composition root: the only place that knows every other package. */
package dev.chorus.config;
