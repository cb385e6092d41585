import type {
  PubSubTransport,
  TransportMessageHandler,
} from './pubsub-transport.interface';

/**
 * Pub/sub within one process, for running a single instance with no Redis.
 * Messages are delivered asynchronously and in publish order, as Redis would.
 */
export class InProcessTransport implements PubSubTransport {
  readonly kind = 'in-process';
  private readonly channels = new Set<string>();
  private handler: TransportMessageHandler = () => undefined;
  private isClosed = false;

  publish(channel: string, payload: string): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(new Error('the in-process transport is closed'));
    }
    const message = Buffer.from(payload);
    queueMicrotask(() => {
      if (!this.isClosed && this.channels.has(channel)) {
        this.handler(channel, message);
      }
    });
    return Promise.resolve();
  }

  subscribe(channel: string): Promise<void> {
    this.channels.add(channel);
    return Promise.resolve();
  }

  unsubscribe(channel: string): Promise<void> {
    this.channels.delete(channel);
    return Promise.resolve();
  }

  setMessageHandler(handler: TransportMessageHandler): void {
    this.handler = handler;
  }

  isReady(): boolean {
    return !this.isClosed;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.isClosed = true;
    this.channels.clear();
    return Promise.resolve();
  }
}
