import { describe, expect, it, jest } from '@jest/globals';
import schema from './propagator-message.schema.json';

type Parse = (value: unknown) => { ok: boolean; error?: string };

describe('the consumer', () => {
  it('validates with the contract JSON Schema: a changed schema changes what it drops', async () => {
    const changed = structuredClone(schema);
    changed.$defs.event.maxLength = 5;
    changed.$defs.event.not.enum.push('nope');
    jest.unstable_mockModule('./propagator-message.schema.json', () => ({
      default: changed,
    }));
    // Imported only now, so that it reads the changed schema.
    const parserPath = './propagator-message.parser';
    const { toBroadcast } = (await import(parserPath)) as {
      toBroadcast: Parse;
    };

    expect(toBroadcast({ event: 'short' }).ok).toBe(true);
    expect(toBroadcast({ event: 'longer' })).toMatchObject({
      ok: false,
      error: '"event" is longer than 5 characters',
    });
    expect(toBroadcast({ event: 'nope' })).toMatchObject({
      ok: false,
      error: '"event" may not be "nope", which Socket.IO reserves',
    });
  });
});
