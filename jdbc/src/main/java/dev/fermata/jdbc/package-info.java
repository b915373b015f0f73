/**
 * What the SQL stores ({@code dev.fermata.sqlite}, {@code dev.fermata.postgres}) share, written
 * once. Not API: only the store modules use it.
 *
 * <p>A tour: {@link dev.fermata.jdbc.Rows} maps the tables' rows to records and back (naming a
 * corrupt row in its {@link dev.fermata.spi.CorruptRecordException}); {@link
 * dev.fermata.jdbc.FilterSql} turns an instance filter into a WHERE clause; {@link
 * dev.fermata.jdbc.StoreReads} holds the reads both stores make, on the prepared statements a
 * {@link dev.fermata.jdbc.Statements} gives; {@link dev.fermata.jdbc.SchemaMigrations} applies a
 * store's versioned schema files. What differs between the databases is a {@link
 * dev.fermata.jdbc.SqlDialect}, one small class per store ({@code SqliteDialect}, {@code
 * PostgresDialect}). The rules of writes are not here but in {@link dev.fermata.spi.StoreRules};
 * dispatch, locking and each store's own SQL stay in the stores.
 */
package dev.fermata.jdbc;
