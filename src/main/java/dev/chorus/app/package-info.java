/**
 * Apps and settings: the {@code App} record with every per-app option, the {@code AppRegistry}
 * role, and the loader that merges flags, Reverb environment names and the YAML config file.
 * May use {@code protocol} only.
 */
package dev.chorus.app;
