/**
 * The Durable Functions seed scenarios written for Fermata, one package each. Every sample has one
 * entry point, {@code register(Fermata.Builder, settings)}, that adds its orchestrators and
 * activities to an engine under the names the original scenario uses; the settings record carries
 * the scenario's timeouts and retry intervals, with the original values as defaults.
 */
package dev.fermata.samples;
