/**
 * The embedded default store: {@link dev.fermata.sqlite.SqliteStore}, one SQLite file in WAL mode
 * for one process, configured by {@link dev.fermata.sqlite.SqliteOptions}.
 *
 * <p>A tour of the package-private parts: {@code GroupCommitWriter} is the single writer thread
 * (group commit, a savepoint per write); every write follows the rules shared by all stores ({@link
 * dev.fermata.spi.StoreRules}) through {@code SqliteTransaction}, on top of the single-table
 * statements in {@code Tables}; {@code ReaderPool} serves reads, which are the SQL stores' shared
 * {@link dev.fermata.jdbc.StoreReads} on a reader's {@code SqlConnection} (which keeps its prepared
 * statements); {@code WorkHandOut} turns dispatcher locks into work items, reading each from one
 * snapshot; {@code SqliteDialect} is SQLite's spelling of the SQL in {@code dev.fermata.jdbc};
 * {@code Migrations} lists the versioned schema files under {@code migrations/} and applies them
 * with the shared runner in one exclusive transaction.
 */
package dev.fermata.sqlite;
