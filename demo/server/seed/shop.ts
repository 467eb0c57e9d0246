import type { Db } from '../db';

/** Placeholder: the demo shoppers' orders, shipments and tracking events (demo mode only). */
export async function seedShop(_db: Db) {}
