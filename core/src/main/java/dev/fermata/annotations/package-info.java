/**
 * Annotations that declare functions on methods of a class registered with the Fermata host: {@link
 * dev.fermata.annotations.Orchestrator}, {@link dev.fermata.annotations.Activity}, {@link
 * dev.fermata.annotations.HttpTrigger} and {@link dev.fermata.annotations.TimerTrigger}.
 */
package dev.fermata.annotations;
