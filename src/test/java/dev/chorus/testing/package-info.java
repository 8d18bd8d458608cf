/** Fixtures shared by unit tests: apps built by name, and a transport that records what it is sent. */
package dev.chorus.testing;
