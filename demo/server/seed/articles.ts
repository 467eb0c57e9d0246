import type { Db } from '../db';

/** Placeholder: loads the FAQ seed into the database. */
export async function seedArticles(_db: Db) {}
