import { describe, expect, it } from '@jest/globals';
import { ChannelSubscriptions } from './channel-subscriptions';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const waitMs = (ms: number) =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A transport that records each command and answers when told to. */
function recordingTransport() {
  const commands: string[] = [];
  const pending: { settle: (error?: Error) => void }[] = [];
  const command = (name: string) => (channels: readonly string[]) => {
    commands.push(`${name} ${channels.join(' ')}`);
    return new Promise<void>((resolve, reject) =>
      pending.push({
        settle: (error) => (error ? reject(error) : resolve()),
      }),
    );
  };
  return {
    commands,
    transport: {
      subscribe: command('SUBSCRIBE'),
      unsubscribe: command('UNSUBSCRIBE'),
    },
    /** Waits until `count` commands have been sent in all. */
    sent: async (count: number): Promise<void> => {
      const giveUpAt = Date.now() + 3_000;
      while (commands.length < count && Date.now() < giveUpAt) {
        await waitMs(1);
      }
    },
    /** Answers every command sent so far. */
    answer: async (error?: Error): Promise<void> => {
      for (const { settle } of pending.splice(0)) {
        settle(error);
      }
      await nextTurn();
    },
  };
}

describe('ChannelSubscriptions', () => {
  it('sends the changes of one turn as one command, and what changes meanwhile as the next', async () => {
    const { commands, transport, sent, answer } = recordingTransport();
    const subscriptions = new ChannelSubscriptions(transport, () => undefined);

    for (const channel of ['a', 'b', 'c']) {
      subscriptions.add(channel);
    }
    await sent(1);
    subscriptions.add('d');
    subscriptions.delete('a');
    await waitMs(50);
    expect(commands).toEqual(['SUBSCRIBE a b c']);

    await answer();
    await sent(3);
    expect(commands).toEqual([
      'SUBSCRIBE a b c',
      'SUBSCRIBE d',
      'UNSUBSCRIBE a',
    ]);
    await answer();
    expect(subscriptions.size).toBe(3);
    expect(subscriptions.isConfirmed('a')).toBe(false);
    expect(subscriptions.isConfirmed('d')).toBe(true);
  });

  it('sends nothing for a channel added and deleted before its batch', async () => {
    const { commands, transport } = recordingTransport();
    const subscriptions = new ChannelSubscriptions(transport, () => undefined);

    subscriptions.add('a');
    subscriptions.delete('a');
    await nextTurn();

    expect(commands).toEqual([]);
  });

  it('settles waiters on confirmation, and on refusal with the error reported', async () => {
    const { transport, sent, answer } = recordingTransport();
    const errors: string[] = [];
    const subscriptions = new ChannelSubscriptions(
      transport,
      (action, channels, error) =>
        errors.push(`${action} ${channels.join(' ')}: ${error.message}`),
    );

    subscriptions.add('a');
    const confirmed = subscriptions.whenSettled('a');
    await sent(1);
    await answer();
    await confirmed;
    expect(subscriptions.isConfirmed('a')).toBe(true);

    subscriptions.add('b');
    const refused = subscriptions.whenSettled('b');
    await sent(2);
    await answer(new Error('NOPERM'));
    await refused;
    expect(subscriptions.isConfirmed('b')).toBe(false);
    expect(errors).toEqual(['subscribe b: NOPERM']);
  });

  it('asks again for a refused channel a second later, while it is wanted', async () => {
    const { commands, transport, sent, answer } = recordingTransport();
    const subscriptions = new ChannelSubscriptions(transport, () => undefined);

    subscriptions.add('a');
    subscriptions.add('b');
    await sent(1);
    await answer(new Error('CLUSTERDOWN'));
    subscriptions.delete('b');
    await sent(2);
    await answer();
    expect(commands).toEqual(['SUBSCRIBE a b', 'SUBSCRIBE a']);
    expect(subscriptions.isConfirmed('a')).toBe(true);
    subscriptions.close();
  });

  it('releases waiters and sends nothing more once closed', async () => {
    const { commands, transport } = recordingTransport();
    const subscriptions = new ChannelSubscriptions(transport, () => undefined);

    subscriptions.add('a');
    const waiting = subscriptions.whenSettled('a');
    subscriptions.close();
    await waiting;
    await nextTurn();

    expect(commands).toEqual([]);
  });
});
