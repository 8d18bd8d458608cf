/**
 * The single hand-made CDI lookup ({@link dev.chorus.cdi.Lookup}), for classes a container creates
 * itself. Depends on nothing else of ours.
 */
package dev.chorus.cdi;
