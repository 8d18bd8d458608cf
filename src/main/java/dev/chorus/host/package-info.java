/**
 * The one seam between the web app and a process that embeds it (the launcher): {@link
 * dev.chorus.host.HostLink}, published once in the servlet context, and the two entries the web app
 * offers through it ({@link dev.chorus.host.TriggerEntry}, {@link dev.chorus.host.SocketEntry}).
 * <p>Both class loaders see this package: the launcher has it on its own class path and makes the web
 * app load it from there, so the hand-off is typed on both sides. It depends on nothing else of ours
 * and on no container API. In Tomcat, a stock Jetty or Payara there is no host and no link.
 */
package dev.chorus.host;
