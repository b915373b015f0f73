/**
 * The event history that every orchestration instance is rebuilt from: one record type per kind of
 * event, consumed with exhaustive {@code switch}.
 */
package dev.fermata.history;
