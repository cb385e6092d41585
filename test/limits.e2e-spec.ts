import { get } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { type AppInstance, startInstance } from './support/app-instance';
import { startAppProcess } from './support/app-process';
import { connect, connectRefused, type TestClient } from './support/clients';
import { waitUntil, withDeadline } from './support/deadline';
import { scrape } from './support/metrics';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const MAX_PAYLOAD_BYTES = 4_096;

/** Sends `rate` events a second until the socket is disconnected or `maxMs` pass. */
async function flood(client: TestClient, rate: number, maxMs: number) {
  const startedAt = Date.now();
  let sent = 0;
  const disconnected = new Promise<string>((resolve) =>
    client.socket.once('disconnect', (reason) => resolve(reason)),
  );
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - startedAt) * rate) / 1_000);
    for (; sent < due && client.socket.connected; sent += 1) {
      client.socket.emit('events', sent);
    }
  }, 10);
  try {
    const reason = await withDeadline(
      disconnected,
      `a disconnect within ${maxMs} ms of flooding at ${rate}/s`,
      maxMs,
    );
    return { reason, afterMs: Date.now() - startedAt, sent };
  } finally {
    clearInterval(timer);
  }
}

describe('limits on what a client sends', () => {
  const resources = useResources();
  const tab = async (instance: AppInstance, userId: string) =>
    resources.forTest(await connect(instance.url, { userId }), (c) =>
      c.close(),
    );

  it('refuses an event over MAX_PAYLOAD_BYTES with an error naming the limit, and serves the neighbour', async () => {
    const instance = resources.forTest(
      await startInstance({ MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES) }),
      (i) => i.close(),
    );
    const sender = await tab(instance, 'big-1');
    const otherTab = await tab(instance, 'big-1');
    const neighbour = await tab(instance, 'big-2');
    const tooBig = 'x'.repeat(MAX_PAYLOAD_BYTES);

    expect(await sender.emitWithAck('events', tooBig)).toEqual({
      status: 'error',
      code: 'payload_too_large',
      event: 'events',
      message: expect.stringContaining(
        `the limit is ${MAX_PAYLOAD_BYTES} (maxEventBytes)`,
      ),
    });
    sender.socket.emit('events', { bytes: Buffer.alloc(MAX_PAYLOAD_BYTES) });
    expect(await sender.waitFor('exception')).toEqual([
      expect.objectContaining({ code: 'payload_too_large', event: 'events' }),
    ]);
    expect(await neighbour.emitWithAck('echo', 'still served')).toEqual({
      received: 'still served',
    });
    // Just under the limit: the other tab gets it, envelope and all.
    const justUnder = 'y'.repeat(MAX_PAYLOAD_BYTES - 100);
    expect(await sender.emitWithAck('events', justUnder)).toBe(justUnder);
    expect(await otherTab.waitFor('events')).toEqual([justUnder]);
    expect(sender.socket.connected).toBe(true);
    expect(otherTab.events('events')).toEqual([justUnder]);
    expect(
      (await scrape(instance.url)).value('propagator_events_refused_total', {
        code: 'payload_too_large',
      }),
    ).toBe(2);
  });

  it('tells the sender when its response is too large to reach its other tabs, which get nothing', async () => {
    const instance = resources.forTest(
      await startInstance(
        {},
        { maxEventBytes: 100_000, maxMessageBytes: 2_000 },
      ),
      (i) => i.close(),
    );
    const sender = await tab(instance, 'big-3');
    const otherTab = await tab(instance, 'big-3');
    const data = 'z'.repeat(3_000);

    expect(await sender.emitWithAck('events', data)).toBe(data);
    expect(await sender.waitFor('exception')).toEqual([
      {
        status: 'error',
        code: 'message_too_large',
        event: 'events',
        message: expect.stringContaining('was not sent to your other sockets'),
      },
    ]);
    expect(await sender.emitWithAck('events', 'small')).toBe('small');
    expect(await otherTab.waitFor('events')).toEqual(['small']);
    expect(
      (await scrape(instance.url)).value('propagator_events_refused_total', {
        code: 'message_too_large',
      }),
    ).toBe(1);
  });

  it('with the default rate limit, refuses a client at ten times the rate, then disconnects it within 5 s; the neighbour is unaffected', async () => {
    const instance = resources.forTest(await startInstance(), (i) => i.close());
    const flooder = await tab(instance, 'flood-1');
    const neighbour = await tab(instance, 'flood-2');

    const neighbourAnswers: unknown[] = [];
    const pinging = setInterval(() => {
      void neighbour
        .emitWithAck('echo', neighbourAnswers.length)
        .then((answer) => neighbourAnswers.push(answer));
    }, 50);
    let outcome: Awaited<ReturnType<typeof flood>>;
    try {
      outcome = await flood(flooder, 1_000, 5_000);
    } finally {
      clearInterval(pinging);
    }

    expect(outcome.reason).toBe('io server disconnect');
    expect(flooder.events('exception')[0]).toEqual({
      status: 'error',
      code: 'rate_limited',
      event: 'events',
      message:
        'Too many events: the limit is 100 per second, with bursts of 200 (rateLimit)',
    });
    expect(neighbour.socket.connected).toBe(true);
    expect(await neighbour.emitWithAck('echo', 'after')).toEqual({
      received: 'after',
    });
    expect(neighbourAnswers.length).toBeGreaterThan(0);
    const metrics = await scrape(instance.url);
    expect(
      metrics.value('propagator_events_refused_total', {
        code: 'rate_limited',
      }),
    ).toBeGreaterThan(500);
    expect(
      metrics.value('propagator_disconnects_total', { reason: 'abuse' }),
    ).toBe(1);
    console.log(
      `rate limit: a client at 1,000 events/s (10x) was disconnected after ${outcome.afterMs} ms and ${outcome.sent} events; ` +
        `the neighbour got ${neighbourAnswers.length} answers meanwhile`,
    );
  });
});

describe('the most rooms one socket may be in', () => {
  const resources = useResources();

  it('refuses a chat:join past MAX_ROOMS_PER_SOCKET with an error ack, counted, and keeps the rooms it had', async () => {
    const instance = resources.forTest(
      await startInstance({ MAX_ROOMS_PER_SOCKET: '2' }),
      (i) => i.close(),
    );
    const client = resources.forTest(
      await connect(instance.url, { userId: 'rooms-1' }),
      (c) => c.close(),
    );
    const join = (roomId: string) =>
      client.socket.timeout(5_000).emitWithAck('chat:join', { roomId });
    await join('a');
    await join('b');

    expect(await join('c')).toEqual({
      error: {
        code: 'too_many_rooms',
        message: expect.stringMatching(
          /would be in more than 2 rooms \(maxRoomsPerSocket\)$/,
        ),
      },
    });
    expect(
      (await scrape(instance.url)).value('propagator_events_refused_total', {
        code: 'too_many_rooms',
      }),
    ).toBe(1);
    // Still in the first two: a message to one of them comes back.
    const sent = await client.socket
      .timeout(5_000)
      .emitWithAck('chat:message', { roomId: 'b', text: 'still here' });
    expect(sent).toEqual({ id: expect.any(String) });
    expect(await client.waitFor('chat:message')).toEqual([
      expect.objectContaining({ roomId: 'b', text: 'still here' }),
    ]);
  });
});

describe('the most sockets one user may have, counted across instances', () => {
  const resources = useResources();

  it("refuses the user's socket past the limit wherever its tabs are, and takes one back when a tab closes", async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const env = { REDIS_URL: redis.url, MAX_SOCKETS_PER_USER: '3' };
    const [one, two] = await Promise.all([
      startInstance(env),
      startInstance(env),
    ]);
    resources.forTest(one, (i) => i.close());
    resources.forTest(two, (i) => i.close());
    const tab = async (instance: AppInstance, userId: string) =>
      resources.forTest(await connect(instance.url, { userId }), (c) =>
        c.close(),
      );
    const first = await tab(one, 'many-1');
    await tab(one, 'many-1');
    await tab(two, 'many-1');

    expect(await connectRefused(two.url, { userId: 'many-1' })).toEqual({
      message: 'too many sockets for this user (the limit is 3)',
      data: { code: 'too_many_sockets', limit: 3 },
    });
    expect(await connectRefused(one.url, { userId: 'many-1' })).toEqual(
      expect.objectContaining({ data: { code: 'too_many_sockets', limit: 3 } }),
    );
    const neighbour = await tab(two, 'many-2');
    expect(neighbour.socket.connected).toBe(true);
    expect(
      (await scrape(two.url)).value('propagator_connections_refused_total', {
        code: 'too_many_sockets',
      }),
    ).toBe(1);

    first.close();
    let replacement: TestClient | undefined;
    await waitUntil(async () => {
      replacement = await connect(two.url, { userId: 'many-1' }).catch(
        () => undefined,
      );
      return replacement !== undefined;
    }, 'a socket of the user to be accepted once a tab closed');
    resources.forTest(replacement, (c) => c?.close());
  });

  it('gives back the sockets of an instance that dies, once its lease ends', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const env = {
      REDIS_URL: redis.url,
      MAX_SOCKETS_PER_USER: '2',
      SOCKET_LEASE_MS: '1000',
    };
    const survivor = resources.forTest(await startInstance(env), (i) =>
      i.close(),
    );
    const doomed = resources.forTest(
      await startAppProcess('doomed-quota', env),
      (p) => p.stop(),
    );
    for (let n = 0; n < 2; n += 1) {
      resources.forTest(await connect(doomed.url, { userId: 'lease-1' }), (c) =>
        c.close(),
      );
    }
    expect(
      (await connectRefused(survivor.url, { userId: 'lease-1' })).data,
    ).toEqual({ code: 'too_many_sockets', limit: 2 });

    doomed.process.kill('SIGKILL');
    await doomed.process.exited;
    const killedAt = Date.now();
    let accepted: TestClient | undefined;
    await waitUntil(async () => {
      accepted = await connect(survivor.url, { userId: 'lease-1' }).catch(
        () => undefined,
      );
      return accepted !== undefined;
    }, "the dead instance's sockets to stop counting");
    resources.forTest(accepted, (c) => c?.close());
    console.log(
      `socket limit: a crashed instance's sockets stopped counting ${Date.now() - killedAt} ms after the kill (lease 1000 ms)`,
    );
  });
});

describe('who may open a connection', () => {
  const resources = useResources();

  /** Engine.IO's handshake over HTTP, with those headers, from that address. */
  const handshake = (
    url: string,
    headers: Record<string, string>,
    localAddress?: string,
  ) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      get(
        `${url}/socket.io/?EIO=4&transport=polling`,
        { headers, localAddress, agent: false },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body: JSON.parse(text),
            }),
          );
        },
      ).on('error', reject);
    });

  it('refuses a browser origin not on the list with 403 and a reason, and takes listed, same-host and non-browser clients', async () => {
    const instance = resources.forTest(
      await startInstance({ CORS_ORIGINS: 'https://good.example' }),
      (i) => i.close(),
    );

    const refused = await handshake(instance.url, {
      origin: 'https://evil.example',
    });
    expect(refused).toEqual({
      status: 403,
      body: { code: 4, message: 'origin not allowed' },
    });
    const error = await connectRefused(instance.url, {
      userId: 'origin-1',
      headers: { origin: 'https://evil.example' },
    });
    expect(error.message).toBe('websocket error');
    for (const origin of ['https://good.example', instance.url]) {
      const client = resources.forTest(
        await connect(instance.url, {
          userId: 'origin-1',
          headers: { origin },
        }),
        (c) => c.close(),
      );
      expect(client.socket.connected).toBe(true);
    }
    const noOrigin = resources.forTest(
      await connect(instance.url, { userId: 'origin-2' }),
      (c) => c.close(),
    );
    expect(noOrigin.socket.connected).toBe(true);
    expect(
      (await scrape(instance.url)).value(
        'propagator_connections_refused_total',
        {
          code: 'origin_not_allowed',
        },
      ),
    ).toBe(2);
  });

  it('limits new connections per client address, so one address cannot starve the others', async () => {
    const instance = resources.forTest(
      await startInstance({
        CONNECTION_RATE_PER_SECOND: '1',
        CONNECTION_RATE_BURST: '3',
      }),
      (i) => i.close(),
    );
    const from = async (localAddress: string) =>
      resources.forTest(
        await connect(instance.url, { userId: 'storm-1', localAddress }),
        (c) => c.close(),
      );
    for (let n = 0; n < 3; n += 1) await from('127.0.0.2');

    expect(
      (
        await connectRefused(instance.url, {
          userId: 'storm-1',
          localAddress: '127.0.0.2',
        })
      ).message,
    ).toBe('websocket error');
    expect((await from('127.0.0.3')).socket.connected).toBe(true);
    expect(await handshake(instance.url, {}, '127.0.0.2')).toEqual({
      status: 403,
      body: { code: 4, message: 'too many connections from this address' },
    });
    expect(
      (await scrape(instance.url)).value(
        'propagator_connections_refused_total',
        {
          code: 'connection_rate_limited',
        },
      ),
    ).toBe(2);
  });

  it("behind a trusted proxy, counts the address the proxy saw, not the proxy's", async () => {
    const instance = resources.forTest(
      await startInstance({
        CONNECTION_RATE_PER_SECOND: '1',
        CONNECTION_RATE_BURST: '2',
        TRUSTED_PROXIES: '1',
      }),
      (i) => i.close(),
    );
    // What a client wrote comes first; the proxy appended what it saw.
    const via = (client: string) => ({
      'x-forwarded-for': `203.0.113.9, ${client}`,
    });
    for (let n = 0; n < 2; n += 1) {
      resources.forTest(
        await connect(instance.url, {
          userId: 'proxied',
          headers: via('198.51.100.1'),
        }),
        (c) => c.close(),
      );
    }

    await connectRefused(instance.url, {
      userId: 'proxied',
      headers: via('198.51.100.1'),
    });
    const other = resources.forTest(
      await connect(instance.url, {
        userId: 'proxied',
        headers: via('198.51.100.2'),
      }),
      (c) => c.close(),
    );
    expect(other.socket.connected).toBe(true);
  });
});
