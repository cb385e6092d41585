import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { InProcessTransport } from './in-process.transport';
import { RedisService } from './redis.service';

const flushMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

describe('RedisService on the in-process transport', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('delivers to every subscriber of a channel, in publish order', async () => {
    const service = new RedisService(new InProcessTransport());
    const first: string[] = [];
    const second: string[] = [];
    service.fromEvent('c').subscribe((m) => first.push(m.toString()));
    service.fromEvent('c').subscribe((m) => second.push(m.toString()));
    expect(await service.waitUntilReady(1_000)).toBe(true);

    await service.publish('c', '1');
    await service.publish('other', 'x');
    await service.publish('c', '2');
    await flushMicrotasks();

    expect(first).toEqual(['1', '2']);
    expect(second).toEqual(['1', '2']);
    await service.onApplicationShutdown();
  });

  it('is ready once subscribed, and completes its streams on shutdown', async () => {
    const service = new RedisService(new InProcessTransport());
    let isComplete = false;
    service.fromEvent('c').subscribe({ complete: () => (isComplete = true) });

    expect(await service.waitUntilReady(1_000)).toBe(true);
    expect(service.isReady()).toBe(true);
    await service.onApplicationShutdown();

    expect(isComplete).toBe(true);
    expect(service.isReady()).toBe(false);
    await expect(service.publish('c', 'late')).rejects.toThrow(
      'the in-process transport is closed',
    );
  });

  it('counts only required channels for readiness', async () => {
    const transport = new InProcessTransport();
    // A subscription that Redis never confirms.
    const subscribe = transport.subscribe.bind(transport);
    transport.subscribe = (channels) =>
      channels.some((channel) => channel.startsWith('per-user:'))
        ? new Promise<void>(() => undefined)
        : subscribe(channels);
    const service = new RedisService(transport);

    service.fromEvent('contract').subscribe();
    expect(await service.waitUntilReady(1_000)).toBe(true);
    service.fromEvent('per-user:42', { required: false }).subscribe();
    expect(await service.waitUntilReady(50)).toBe(true);
    expect(service.isReady()).toBe(true);

    service.fromEvent('per-user:43').subscribe();
    expect(await service.waitUntilReady(50)).toBe(false);
    expect(service.isReady()).toBe(false);
    await service.onApplicationShutdown();
  });
});
