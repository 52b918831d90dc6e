import type { Peer } from '../engine/peer.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { META } from '../protocol/meta.js';
import {
  isLegacyRevision,
  LEGACY_REVISIONS,
  type LegacyRevision,
  type ModernRevision,
} from '../protocol/revisions.js';
import type { ClientCapabilities, Implementation, ServerCapabilities } from '../protocol/schemas/index.js';
import { ClientError } from './errors.js';

export interface ServerIdentity {
  info?: Implementation;
  capabilities: ServerCapabilities;
  instructions?: string;
}

export type ProbeOutcome =
  | { kind: 'modern'; revision: ModernRevision; server: ServerIdentity; discover: Record<string, unknown> }
  | { kind: 'legacy'; reason: string }
  | { kind: 'closed' };

export function envelope(revision: ModernRevision, info: Implementation, capabilities: ClientCapabilities) {
  return {
    [META.protocolVersion]: revision,
    [META.clientInfo]: info,
    [META.clientCapabilities]: capabilities,
  };
}

/**
 * The stdio backward-compatibility probe (2026-07-28 transports/stdio): a DiscoverResult or a
 * recognized modern error means a modern server; any other error or silence means a legacy one.
 * The fallback is never keyed to one error code.
 */
export async function probe(
  peer: Peer,
  preferred: readonly ModernRevision[],
  info: Implementation,
  capabilities: ClientCapabilities,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  let revision = preferred[0]!;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const result = await peer.request(
        'server/discover',
        { _meta: envelope(revision, info, capabilities) },
        { timeoutMs },
      );
      // Some legacy servers answer any method with an empty result: that is no DiscoverResult.
      if (!Array.isArray(result.supportedVersions))
        return { kind: 'legacy', reason: 'server/discover gave no supportedVersions' };
      const offered = result.supportedVersions as string[];
      const chosen = offered.includes(revision) ? revision : preferred.find((v) => offered.includes(v));
      if (!chosen) throw mismatch(offered);
      return { kind: 'modern', revision: chosen, server: identityOf(result), discover: result };
    } catch (error) {
      if (error instanceof ClientError) throw error;
      // The connection itself ended (a stdio server that exits on the probe). A -32000 the server
      // sent is no such thing: official SDK servers answer "Server not initialized" with it.
      if (peer.isClosed) return { kind: 'closed' };
      if (error instanceof McpError && error.code === ErrorCode.UnsupportedProtocolVersion) {
        const supported = ((error.data as { supported?: unknown })?.supported ?? []) as string[];
        const mutual = preferred.find((v) => supported.includes(v));
        if (mutual && attempt === 0) {
          revision = mutual;
          continue;
        }
        // A modern server that also lists legacy revisions serves those through initialize.
        if (supported.some((v) => isLegacyRevision(v)))
          return { kind: 'legacy', reason: 'no mutual modern revision' };
        throw mismatch(supported);
      }
      return { kind: 'legacy', reason: error instanceof Error ? error.message : String(error) };
    }
  }
  return { kind: 'legacy', reason: 'no mutual modern revision' };
}

function mismatch(offered: string[]): ClientError {
  return new ClientError(
    'protocol-mismatch',
    `The server speaks MCP ${offered.join(', ') || '(no revision named)'}; this client speaks ${[...LEGACY_REVISIONS, '2026-07-28'].join(', ')}`,
  );
}

function identityOf(result: Record<string, unknown>): ServerIdentity {
  const meta = (result._meta ?? {}) as Record<string, unknown>;
  const info = meta[META.serverInfo] as Implementation | undefined;
  return {
    capabilities: (result.capabilities ?? {}) as ServerCapabilities,
    ...(info ? { info } : {}),
    ...(typeof result.instructions === 'string' ? { instructions: result.instructions } : {}),
  };
}

/** The legacy handshake; refuses a revision this client does not speak (the schema's MUST disconnect). */
export async function initialize(
  peer: Peer,
  revision: LegacyRevision,
  info: Implementation,
  capabilities: ClientCapabilities,
  timeoutMs: number,
): Promise<{ revision: LegacyRevision; server: ServerIdentity }> {
  const result = await peer.request(
    'initialize',
    { protocolVersion: revision, capabilities, clientInfo: info },
    { timeoutMs },
  );
  const chosen = result.protocolVersion;
  if (!isLegacyRevision(chosen)) {
    throw mismatch([String(chosen)]);
  }
  await peer.notify('notifications/initialized');
  return {
    revision: chosen,
    server: {
      capabilities: (result.capabilities ?? {}) as ServerCapabilities,
      ...(result.serverInfo ? { info: result.serverInfo as Implementation } : {}),
      ...(typeof result.instructions === 'string' ? { instructions: result.instructions } : {}),
    },
  };
}
