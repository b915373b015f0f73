/**
 * {@link dev.fermata.memory.InMemoryStore}: a store that keeps everything in memory, for unit tests
 * and the test kit. It passes the same contract suite as the durable stores, so tests written
 * against it behave the same on SQLite.
 */
package dev.fermata.memory;
