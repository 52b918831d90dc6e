import { describe, expect, it } from 'vitest';
import { Client } from '../client/index.js';
import { createLinkedPair } from '../transports/memory/linked-pair.js';
import { McpServer } from './mcp-server.js';

describe('ServerConnection, as McpServer.connect returns it', () => {
  it('shows the negotiated revision and the client, and closes the connection', async () => {
    const server = new McpServer({ name: 's', version: '1' });
    const [a, b] = createLinkedPair();
    const connection = await server.connect(a);
    expect(connection.protocolVersion).toBeUndefined();
    const client = new Client({ name: 'ada-app', version: '2.0.0' }, { era: 'legacy', roots: [] });
    const closed = new Promise((resolve) => client.on('close', resolve));
    await client.connect(b);
    expect(connection.protocolVersion).toBe('2025-11-25');
    expect(connection.clientInfo).toEqual({ name: 'ada-app', version: '2.0.0' });
    expect(connection.clientCapabilities).toMatchObject({ roots: { listChanged: true } });
    await connection.close();
    await closed;
  });
});
