/**
 * Drops a test database with `force`. An autovacuum worker busy on its new tables cannot be ended by
 * a plain role (42501), so that drop fails; the worker finishes soon, and the drop is tried again.
 * @param {{ query(sql: string): Promise<unknown> }} client connected to another database of the cluster
 * @param {string} name
 */
export async function dropDatabase(client, name) {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`drop database if exists ${name} with (force)`);
      return;
    } catch (error) {
      if (error?.code !== '42501' || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
