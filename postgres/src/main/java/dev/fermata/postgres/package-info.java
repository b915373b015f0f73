/**
 * The scale-out store: {@link dev.fermata.postgres.PostgresStore}, one PostgreSQL database shared
 * by many worker processes, configured by {@link dev.fermata.postgres.PostgresOptions} (or by name
 * through {@link dev.fermata.postgres.PostgresStoreFactory}).
 *
 * <p>A tour of the package-private parts: every write follows the rules shared by all stores
 * ({@link dev.fermata.spi.StoreRules}) through {@code PostgresTransaction}, which batches them into
 * few round trips on top of the single-table statements in {@code Tables}; reads are the SQL
 * stores' shared {@link dev.fermata.jdbc.StoreReads}; {@code WorkHandOut} claims work under leases
 * and waits for it; {@code Leases} renews what this worker holds; {@code Notices} and {@code
 * NotificationListener} carry wake-ups between workers over LISTEN/NOTIFY; {@code Database} is the
 * pool and the transaction discipline; {@code PostgresDialect} is PostgreSQL's spelling of the SQL
 * in {@code dev.fermata.jdbc}, with the advisory lock, schema and search path of migrations; {@code
 * Migrations} lists the versioned schema files under {@code migrations/} and applies them with the
 * shared runner.
 */
package dev.fermata.postgres;
