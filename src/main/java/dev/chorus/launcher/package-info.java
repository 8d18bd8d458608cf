/**
 * {@code java -jar chorus.jar}: command line, embedded Jetty running the embedded chorus.war.
 * Uses Jetty and {@code app} (to validate settings before listening); never packaged in a WAR.
 */
package dev.chorus.launcher;
