import { beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, Module, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WsResponse } from '@nestjs/websockets';
import type { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import {
  initAdapters,
  InvalidMessageError,
  propagatorChannels,
  RedisPropagatorInterceptor,
  RedisPropagatorModule,
  type RedisPropagatorModuleOptions,
  RedisPropagatorService,
  SocketStateAdapter,
  SocketStateService,
  TokenVerificationError,
  type TokenVerifier,
} from '../src/lib';
import { TEST_JWT_SECRET } from './support/app-instance';
import { connect, connectRefused } from './support/clients';
import { flush, redisClient } from './support/redis-client';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { CHANNELS } from './support/channels';
import { useResources } from './support/resources';

@UseInterceptors(RedisPropagatorInterceptor)
@WebSocketGateway()
class FirstGateway {
  @SubscribeMessage('first')
  handle(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'first', data };
  }
}

@WebSocketGateway()
class SecondGateway {
  @SubscribeMessage('second')
  handle(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'second', data };
  }
}

/** Sessions of an imaginary store: an opaque token per user. */
class SessionVerifier implements TokenVerifier {
  verify(token: string) {
    if (token === 'session-of-alice') {
      return Promise.resolve({ userId: 'alice', claims: {} });
    }
    if (token === 'crash') {
      return Promise.reject(new Error('the session store is down'));
    }
    return Promise.reject(
      new TokenVerificationError('TOKEN_INVALID', 'unknown session'),
    );
  }
}

/** A user's own app: two gateways in one namespace, configured asynchronously. */
async function startLibraryApp(
  options: () => RedisPropagatorModuleOptions,
  install: (app: INestApplication) => void = (app) => void initAdapters(app),
): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [
      RedisPropagatorModule.forRootAsync({
        useFactory: () => Promise.resolve(options()),
      }),
    ],
    providers: [FirstGateway, SecondGateway],
  })
  class UserAppModule {}

  const app = await NestFactory.create(UserAppModule, { logger: false });
  install(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}` };
}

describe('the library in an app of its own', () => {
  const resources = useResources();
  let redis: RedisServer;
  let publisher: Redis;

  beforeAll(async () => {
    redis = resources.forSuite(await startRedisServer(), (r) => r.stop());
    publisher = resources.forSuite(redisClient(redis.url), (c) => c.quit());
  });

  async function start(
    options: Partial<RedisPropagatorModuleOptions> = {},
    install?: (app: INestApplication) => void,
  ) {
    const started = await startLibraryApp(
      () => ({
        redisUrl: redis.url,
        jwt: { secret: TEST_JWT_SECRET },
        ...options,
      }),
      install,
    );
    return resources.forTest(started, ({ app }) => app.close());
  }

  it('registers a socket once when two gateways share its namespace, and delivers once', async () => {
    const { app, url } = await start();
    const tab = resources.forTest(await connect(url, { userId: '42' }), (c) =>
      c.close(),
    );

    expect(app.get(SocketStateService).get('42')).toHaveLength(1);
    await publisher.publish(
      CHANNELS.send,
      JSON.stringify({ userId: '42', event: 'notification', data: 1 }),
    );
    await flush(publisher, [tab]);
    expect(tab.events('notification')).toEqual([1]);
    tab.socket.emit('second', 'both gateways answer');
    expect(await tab.waitFor('second')).toEqual(['both gateways answer']);
  });

  it('runs a subclass of SocketStateAdapter that the app installs itself', async () => {
    const created: number[] = [];
    class CountingAdapter extends SocketStateAdapter {
      override createIOServer(port: number, options?: ServerOptions): Server {
        created.push(port);
        return super.createIOServer(port, options);
      }
    }
    const { app, url } = await start({}, (nest) =>
      nest.useWebSocketAdapter(
        new CountingAdapter(nest, { pingTimeout: 5_000 }),
      ),
    );

    const tabA = resources.forTest(await connect(url, { userId: '42' }), (c) =>
      c.close(),
    );
    const tabB = resources.forTest(await connect(url, { userId: '42' }), (c) =>
      c.close(),
    );
    expect(created).toEqual([0]);
    expect(app.get(SocketStateService).get('42')).toHaveLength(2);
    tabA.socket.emit('first', 'through the subclass');
    expect(await tabB.waitFor('first')).toEqual(['through the subclass']);
    expect(await connectRefused(url, { token: 'not-a-jwt' })).toMatchObject({
      message: 'unauthorized',
    });
  });

  it('uses a verifier of the app instead of JWT', async () => {
    const { url } = await start({
      jwt: undefined,
      verifier: new SessionVerifier(),
    });

    const alice = resources.forTest(
      await connect(url, { token: 'session-of-alice' }),
      (c) => c.close(),
    );
    const aliceAgain = resources.forTest(
      await connect(url, { token: 'session-of-alice' }),
      (c) => c.close(),
    );
    alice.socket.emit('first', 'from alice');
    expect(await aliceAgain.waitFor('first')).toEqual(['from alice']);
    expect(await connectRefused(url, { token: 'session-of-bob' })).toEqual({
      message: 'unauthorized',
      data: { code: 'TOKEN_INVALID' },
    });
    expect(await connectRefused(url, { token: 'crash' })).toEqual({
      message: 'unauthorized',
      data: { code: 'TOKEN_INVALID' },
    });
  });

  it('listens on prefixed channels only when a prefix is set', async () => {
    const { url } = await start({ channelPrefix: 'tenant-a:' });
    const tab = resources.forTest(await connect(url, { userId: '42' }), (c) =>
      c.close(),
    );
    const push = (channel: string, data: string) =>
      publisher.publish(
        channel,
        JSON.stringify({ userId: '42', event: 'notification', data }),
      );

    await push(CHANNELS.send, 'unprefixed');
    await push(propagatorChannels('tenant-a:').send, 'prefixed');

    expect(await tab.waitFor('notification')).toEqual(['prefixed']);
  });

  it('refuses to publish an invalid or oversized message, with the reason', async () => {
    const { app } = await start({ maxMessageBytes: 2_048 });
    const propagator = app.get(RedisPropagatorService);

    await expect(
      propagator.propagateEvent({ userId: '1', event: 'connect' }),
    ).rejects.toMatchObject({
      name: 'InvalidMessageError',
      reason: 'invalid',
      message:
        'Invalid propagator message: "event" may not be "connect", which Socket.IO reserves',
    });
    await expect(
      propagator.emitToAll({ event: 'big', data: 'x'.repeat(4_096) }),
    ).rejects.toMatchObject({
      name: 'InvalidMessageError',
      reason: 'too_large',
    });
    await expect(
      propagator.emitToAll({ event: 'cyclic', data: { n: 1n } }),
    ).rejects.toThrow(InvalidMessageError);
    expect(propagator.getMetrics().publishRefused).toEqual({
      invalid: 1,
      too_large: 1,
      not_json: 1,
    });
  });
});
