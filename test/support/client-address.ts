import { Agent } from 'node:http';

export {
  addressesOnDistinctInstances,
  instanceServing,
} from '../../src/cluster/client-address';

/** An HTTP agent whose connections leave from `localAddress`. */
export function agentFrom(localAddress: string): Agent {
  return new Agent({ localAddress });
}
