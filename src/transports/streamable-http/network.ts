import type { NetworkInfo } from '../../engine/telemetry.js';

/** The server an HTTP client talks to, as telemetry records it (`server.address`, `server.port`). */
export function httpNetwork(url: URL | string): NetworkInfo {
  try {
    const parsed = new URL(url);
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    return { transport: 'tcp', protocol: 'http', peerAddress: parsed.hostname, peerPort: port };
  } catch {
    return { transport: 'tcp', protocol: 'http' };
  }
}
