package dev.fermata.host;

import java.time.Instant;

/**
 * What a timer function is told about its run.
 *
 * @param name the timer function's name
 * @param scheduledTime the occurrence this run is for
 * @param isPastDue true when the occurrence was missed while no host ran, and fires late at start
 */
public record TimerInfo(String name, Instant scheduledTime, boolean isPastDue) {}
