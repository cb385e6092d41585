import { beforeAll, describe, expect, it } from '@jest/globals';
import { RedisPropagatorService } from '../src/lib';
import { type AppInstance, startInstance } from './support/app-instance';
import { connect } from './support/clients';
import { useResources } from './support/resources';

describe('one instance without Redis (in-process transport)', () => {
  const resources = useResources();
  let app: AppInstance;

  beforeAll(async () => {
    app = resources.forSuite(
      await startInstance({ REDIS_URL: undefined }),
      (i) => i.close(),
    );
  });

  it('reports healthy, on the in-process transport', async () => {
    const response = await fetch(`${app.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      transport: 'in-process',
      instance: app.id,
    });
  });

  it('syncs the tabs of a user and delivers broadcasts', async () => {
    const tabA = resources.forTest(
      await connect(app.url, { userId: '42' }),
      (c) => c.close(),
    );
    const tabB = resources.forTest(
      await connect(app.url, { userId: '42' }),
      (c) => c.close(),
    );
    const anonymous = resources.forTest(await connect(app.url), (c) =>
      c.close(),
    );

    tabA.socket.emit('events', 'local');
    expect(await tabB.waitFor('events')).toEqual(['local']);

    await app.app
      .get(RedisPropagatorService)
      .emitToAll({ event: 'all', data: 1 });
    expect(await anonymous.waitFor('all')).toEqual([1]);
    expect(await tabA.waitFor('all')).toEqual([1]);
  });

  it('serves the demo page and development tokens', async () => {
    const page = await fetch(app.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/socket.io/socket.io.min.js');

    const response = await fetch(`${app.url}/dev/token?userId=42`);
    const { token } = (await response.json()) as { token: string };
    const tab = resources.forTest(await connect(app.url, { token }), (c) =>
      c.close(),
    );
    expect(tab.socket.connected).toBe(true);
    expect(
      (await fetch(`${app.url}/dev/token?userId=${'x'.repeat(65)}`)).status,
    ).toBe(400);
  });
});
