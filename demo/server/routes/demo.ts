import { Hono } from 'hono';
import type { Deps } from '../context';
import { ProblemError } from '../problem';
import { signUserToken } from '../tokens';

const people: Record<string, { name: string; email: string }> = {
  alice: { name: 'Alice', email: 'alice@example.com' },
  bob: { name: 'Bob', email: 'bob@example.com' },
};

/** `GET /demo/token?user=alice|bob`: signs a user token as a merchant's backend would. Demo mode only. */
export function demoRoutes({ db }: Deps) {
  const app = new Hono();
  app.get('/token', async (c) => {
    const user = c.req.query('user') ?? '';
    const person = people[user];
    if (!person) {
      throw new ProblemError(400, 'Bad Request', 'user must be alice or bob', [{ path: 'user', message: 'must be alice or bob' }]);
    }
    const [site] = await db.query<{ secret: string }>(`select secret from sites where key = 'pk_demo'`);
    return c.json({ userToken: await signUserToken(site!.secret, { sub: user, ...person }) });
  });
  return app;
}
