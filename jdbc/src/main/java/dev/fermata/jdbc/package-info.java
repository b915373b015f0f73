/**
 * What the SQL stores ({@code dev.fermata.sqlite}, {@code dev.fermata.postgres}) share, written
 * once: {@link dev.fermata.jdbc.Rows} maps their tables' rows to records and back. Not API: only
 * the store modules use it.
 */
package dev.fermata.jdbc;
