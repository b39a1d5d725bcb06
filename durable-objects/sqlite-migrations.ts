/**
 * Applies a Durable Object's append-only SQLite migrations that have not run yet, in one synchronous
 * transaction (no request can interleave). Never edit a shipped entry of `migrations`; add a new one.
 */
export function applyMigrations(storage: DurableObjectStorage, migrations: readonly string[]): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY)");
  const done = sql.exec<{ n: number }>("SELECT count(*) AS n FROM _migrations").one().n;
  storage.transactionSync(() =>
    migrations.slice(done).forEach((statement, i) => {
      sql.exec(statement);
      sql.exec("INSERT INTO _migrations (id) VALUES (?)", done + i);
    }),
  );
}
