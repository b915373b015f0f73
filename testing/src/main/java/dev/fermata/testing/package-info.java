/**
 * The test kit: {@link dev.fermata.testing.FermataTestEnvironment} runs the real engine on the
 * in-memory store (or SQLite) with a {@link dev.fermata.testing.VirtualClock}, so that a workflow
 * that waits thirty days completes in milliseconds; {@link dev.fermata.testing.FermataExtension}
 * gives each JUnit 5 test a fresh one.
 */
package dev.fermata.testing;
