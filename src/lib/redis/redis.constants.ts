/** Injection token of the {@link PubSubTransport} behind RedisService. */
export const PUBSUB_TRANSPORT = Symbol('redis-propagator:pubsub-transport');
