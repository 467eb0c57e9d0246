/** Who a conversation or ticket belongs to, as the agent console shows it (`Shopper`). */
import type { Shopper } from '../../src/api/schemas';
import type { Queryable } from './db';

interface ShopperRow {
  site: string;
  owner: string;
  visitor_id: string | null;
  user_id: string | null;
  name: string | null;
  email: string | null;
}

const keyOf = (site: string, owner: string) => `${site} ${owner}`;

/**
 * The shoppers of these (site, owner) pairs, keyed `"site owner"`. A pair without a row (a shopper
 * from before the table existed) is described from the owner key alone.
 */
export async function shoppersOf(q: Queryable, pairs: { site: string; owner: string }[]) {
  const rows = pairs.length
    ? await q.query<ShopperRow>(
        'select site, owner, visitor_id, user_id, name, email from shoppers where site = any($1) and owner = any($2)',
        [[...new Set(pairs.map((p) => p.site))], [...new Set(pairs.map((p) => p.owner))]],
      )
    : [];
  const found = new Map(rows.map((row) => [keyOf(row.site, row.owner), row]));
  return (site: string, owner: string): Shopper => toShopper(owner, found.get(keyOf(site, owner)));
}

function toShopper(owner: string, row: ShopperRow | undefined): Shopper {
  const userId = row?.user_id ?? (owner.startsWith('u:') ? owner.slice(2) : null);
  return {
    owner,
    visitorId: row?.visitor_id ?? (owner.startsWith('v:') ? owner.slice(2) : null),
    user: userId ? { id: userId, name: row?.name ?? null, email: row?.email ?? null } : null,
  };
}
