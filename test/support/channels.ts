import { propagatorChannels } from '../../src/lib';

/** The contract's channels with no prefix, as the test instances use them. */
export const CHANNELS = propagatorChannels();
