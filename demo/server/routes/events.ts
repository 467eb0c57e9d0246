import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Deps, Env } from '../context';

/**
 * `GET /v1/events`: Server-Sent Events for one shopper, resumable with `Last-Event-ID`. Events are
 * rows; a NOTIFY only wakes this stream to read what it has not sent yet.
 */
export function eventRoutes({ bus }: Deps) {
  const app = new Hono<Env>();
  app.get('/events', async (c) => {
    const { site, owner } = c.get('auth');
    // The starting point is settled before the response goes out (as the console's stream does), so
    // an event committed after the client has the headers is never behind it. Read after the first
    // write, a post the client made once it saw the stream open could land before it, unsent.
    const start = c.req.header('Last-Event-ID') || (await bus.head(site, owner));
    return streamSSE(c, async (stream) => {
      // Something goes out at once, so proxies and clients see the stream open before any event.
      await stream.write('retry: 3000\n\n');
      let cursor = start;
      let pending = Promise.resolve();
      // Wakes are chained so events go out once each and in order, however many NOTIFYs arrive.
      const drain = () => {
        pending = pending.then(async () => {
          for (const event of await bus.read(site, owner, cursor)) {
            await stream.writeSSE({ id: event.id, data: JSON.stringify(event.data) });
            cursor = event.id;
          }
        });
        return pending;
      };
      const unwatch = bus.watch(site, owner, () => void drain().catch(() => stream.abort()));
      const ping = setInterval(() => void stream.write(': ping\n\n').catch(() => stream.abort()), 25_000);
      stream.onAbort(() => {
        unwatch();
        clearInterval(ping);
      });
      await drain();
      await new Promise<void>((resolve) => stream.onAbort(resolve));
    });
  });
  return app;
}
