// Finds a PostgreSQL for the server tests: KEFU_TEST_DATABASE_URL if set, else a local Debian
// cluster started here (as root: pg_ctlcluster, a kefu role with a password, over 127.0.0.1).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const URL = 'postgres://kefu:kefu@127.0.0.1:5432/postgres';

function sh(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, ...options });
}

/** Returns a connection URL or null (with the reason) when no server can be had. */
export function findPostgres() {
  if (process.env.KEFU_TEST_DATABASE_URL) return { url: process.env.KEFU_TEST_DATABASE_URL };
  if (!existsSync('/usr/bin/pg_ctlcluster') || !existsSync('/usr/lib/postgresql')) {
    return { url: null, reason: 'PostgreSQL is not installed (apt-get install -y postgresql)' };
  }
  if (process.getuid?.() !== 0) return { url: null, reason: 'starting the local cluster needs root' };
  try {
    const version = readdirSync('/usr/lib/postgresql').sort().at(-1);
    const status = (() => {
      try {
        return sh('pg_lsclusters', ['--no-header']);
      } catch {
        return '';
      }
    })();
    if (!status.includes(`${version} main`)) sh('pg_createcluster', [version, 'main']);
    if (!/\bonline\b/.test(sh('pg_lsclusters', ['--no-header']))) sh('pg_ctlcluster', [version, 'main', 'start']);
    const psql = (sql) => sh('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -qAtc "${sql}"`]);
    if (!psql("select 1 from pg_roles where rolname = 'kefu'").trim()) {
      psql("create role kefu login createdb password 'kefu'");
    }
    return { url: URL };
  } catch (error) {
    return { url: null, reason: `could not start the local cluster: ${String(error.stderr || error.message).trim()}` };
  }
}
