/**
 * What the rooms need of the pub/sub layer: `RedisService` is one. A
 * listener must not throw.
 */
export interface RoomBus {
  publish(channel: string, payload: Buffer): Promise<number>;
  listen(
    channel: string,
    listener: (payload: Buffer) => void,
    options?: { required?: boolean },
  ): () => void;
  /** True once the channel's subscription is confirmed; false if it cannot be. */
  whenSubscribed(channel: string): Promise<boolean>;
  isReady(): boolean;
  /** Messages of channels no longer listened to, which PUBLISH still counted. */
  listenUnclaimed(listener: (channel: string, payload: Buffer) => void): void;
}
