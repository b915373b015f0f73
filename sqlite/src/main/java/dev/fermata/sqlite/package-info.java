/**
 * The embedded default store: {@link dev.fermata.sqlite.SqliteStore}, one SQLite file in WAL mode
 * for one process, configured by {@link dev.fermata.sqlite.SqliteOptions}.
 *
 * <p>A tour of the package-private parts: {@code GroupCommitWriter} is the single writer thread
 * (group commit, a savepoint per write); {@code StoreWrites} holds every write's rules (the
 * checkpoint transaction is {@code StoreWrites.checkpoint}) on top of the single-table statements
 * in {@code Tables}; {@code StoreReads} and {@code ReaderPool} serve reads; {@code WorkHandOut}
 * turns dispatcher locks into work items; {@code Migrations} applies the versioned schema files
 * under {@code migrations/}.
 */
package dev.fermata.sqlite;
