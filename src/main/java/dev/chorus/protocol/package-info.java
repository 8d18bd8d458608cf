/**
 * The Pusher wire format: event names, error codes and messages, channel kinds, inbound decoding,
 * outbound frame builders and every HMAC. Pure JDK + Jackson; depends on no other Chorus package,
 * and is the only place wire strings live.
 */
package dev.chorus.protocol;
