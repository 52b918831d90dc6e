// mcpkit/nats against the machine's NATS server (127.0.0.1:4222): what one connection publishes on
// a channel reaches the other's listeners on that channel only, whatever characters the channel has.
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { NatsBus } from '../src/nats/index.js';
import { serviceAvailable } from './helpers/services.js';

const available = await serviceAvailable('NATS', 4222);
const prefix = `mcpkit-test.${process.pid}.`;

describe.runIf(available)('NatsBus', () => {
  it('delivers a channel to its listeners on another connection, and stops after unsubscribe', async () => {
    const [a, b] = [
      await connect({ servers: '127.0.0.1:4222' }),
      await connect({ servers: '127.0.0.1:4222' }),
    ];
    try {
      const [sender, receiver] = [new NatsBus(a, { prefix }), new NatsBus(b, { prefix })];
      const got: string[] = [];
      const other: string[] = [];
      const stop = await receiver.subscribe('session:one', (m) => got.push(m));
      const second = await receiver.subscribe('session:one', (m) => got.push(`again ${m}`));
      await receiver.subscribe('session:two', (m) => other.push(m));
      await b.flush(); // the server knows the subscriptions before anything is published
      await sender.publish('session:one', 'hello');
      await expect.poll(() => got.length).toBe(2);
      expect(got.sort()).toEqual(['again hello', 'hello']);
      await stop();
      await second();
      await b.flush();
      await sender.publish('session:one', 'after');
      await sender.publish('session:two', 'for two');
      await expect.poll(() => other).toEqual(['for two']);
      expect(got).toHaveLength(2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('never lets a channel name act as a wildcard or reach another channel', async () => {
    const connection = await connect({ servers: '127.0.0.1:4222' });
    try {
      const bus = new NatsBus(connection, { prefix });
      const seen: string[] = [];
      for (const channel of ['session:>', 'session:*', 'session:a b', 'session:a'])
        await bus.subscribe(channel, (m) => seen.push(`${channel} <- ${m}`));
      await connection.flush();
      for (const channel of ['session:a.b', 'session:x', 'session:a', 'session:>'])
        await bus.publish(channel, channel);
      await expect.poll(() => seen.length).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 100)); // nothing else arrives
      expect(seen.sort()).toEqual(['session:> <- session:>', 'session:a <- session:a']);
    } finally {
      await connection.close();
    }
  });
});
