/**
 * Fixtures shared by tests: apps built by name ({@link dev.chorus.testing.TestApps}), client frames signed for
 * them ({@link dev.chorus.testing.ClientFrames}), a transport, a relay, a subscriber and a webhook emitter that
 * record what they are handed, an in-memory cluster that two nodes' broadcast roles can share
 * ({@link dev.chorus.testing.InMemoryCluster}), and {@link dev.chorus.testing.Await} for waiting on a condition
 * instead of sleeping.
 */
package dev.chorus.testing;
