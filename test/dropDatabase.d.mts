/** Drops a test database with `force`, trying again while an autovacuum worker holds it (see dropDatabase.mjs). */
export function dropDatabase(client: { query(sql: string): Promise<unknown> }, name: string): Promise<void>;
