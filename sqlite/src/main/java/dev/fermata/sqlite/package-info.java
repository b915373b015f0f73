/**
 * The embedded default store: {@link dev.fermata.sqlite.SqliteStore}, one SQLite file in WAL mode
 * for one process, configured by {@link dev.fermata.sqlite.SqliteOptions}.
 *
 * <p>A tour of the package-private parts: {@code GroupCommitWriter} is the single writer thread
 * (group commit, a savepoint per write); every write follows the rules shared by all stores ({@link
 * dev.fermata.spi.StoreRules}) through {@code SqliteTransaction}, on top of the single-table
 * statements in {@code Tables}; {@code StoreReads} and {@code ReaderPool} serve reads; {@code
 * WorkHandOut} turns dispatcher locks into work items; {@code Migrations} applies the versioned
 * schema files under {@code migrations/}.
 */
package dev.fermata.sqlite;
