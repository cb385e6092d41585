import { Agent, get } from 'node:http';
import { withDeadline } from './deadline';

/**
 * Loopback addresses a client may send from. All of 127.0.0.0/8 reaches this
 * host, and nginx hashes each source address to one instance.
 */
const CANDIDATES = Array.from({ length: 253 }, (_, i) => `127.0.0.${i + 2}`);

/** The INSTANCE_ID that answers /health at `url` for a client at `localAddress`. */
export function instanceServing(
  url: string,
  localAddress: string,
  timeoutMs = 5_000,
): Promise<string> {
  const answer = new Promise<string>((resolve, reject) => {
    const request = get(`${url}/health`, { localAddress }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          resolve((JSON.parse(body) as { instance: string }).instance);
        } catch (error) {
          reject(
            new Error(`/health answered ${response.statusCode}: ${body}`, {
              cause: error,
            }),
          );
        }
      });
    });
    request.on('error', reject);
  });
  return withDeadline(answer, `/health from ${localAddress}`, timeoutMs);
}

/**
 * Chooses client addresses that nginx sends to different instances: the
 * first address found for each of `count` instances, as instance id ->
 * address. Asks /health from one address after another, 253 at most.
 */
export async function addressesOnDistinctInstances(
  url: string,
  count: number,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const address of CANDIDATES) {
    const instance = await instanceServing(url, address);
    if (!found.has(instance)) {
      found.set(instance, address);
      if (found.size === count) {
        return found;
      }
    }
  }
  throw new Error(
    `Only ${found.size} of ${count} instances are reachable from 127.0.0.2-254: ${[...found.keys()].join(', ')}`,
  );
}

/** An HTTP agent whose connections leave from `localAddress`. */
export function agentFrom(localAddress: string): Agent {
  return new Agent({ localAddress });
}
