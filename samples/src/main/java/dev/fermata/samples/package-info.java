/**
 * The Durable Functions seed scenarios written for Fermata, one package each, plus the {@code
 * Counter} entity. Every sample has an entry point for an engine, {@code register(Fermata.Builder,
 * settings, ...)}, that adds its orchestrators, activities and entities under the names the
 * original scenario uses; the settings record carries the scenario's timeouts and retry intervals,
 * with the original values as defaults. Each also has a {@code dev.fermata.host.FunctionModule}
 * that adds its HTTP and timer functions for the Fermata host, listed in {@code META-INF/services}
 * so that the launcher finds it.
 */
package dev.fermata.samples;
