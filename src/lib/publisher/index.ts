// `nestjs-redis-propagator/publisher`: pushing from a Node.js service that
// does not run Nest. Nothing here loads Nest, Socket.IO or rxjs.

export {
  createPropagatorPublisher,
  type PushOptions,
  type PushPublisher,
  type PushPublisherOptions,
  type SendToUserOptions,
} from './create-propagator-publisher';
export {
  InvalidMessageError,
  type DropReason,
} from '../contract/invalid-message.error';
export { validatePropagatorMessage } from '../contract/propagator-message.parser';
export { PropagatorPublishError } from '../redis-propagator/propagator-publish.error';
export {
  propagatorChannels,
  type PropagatorChannels,
} from '../contract/propagator-channels';
