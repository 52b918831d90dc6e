import type Provider from 'oidc-provider';

export function freePort(): Promise<number>;
export function serveProvider(
  provider: Provider,
  port: number,
): Promise<{ signIns(): number; close(): Promise<void> }>;
export function startUpstreamIdp(client: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}): Promise<{ issuer: string; signIns(): number; close(): Promise<void> }>;
export function browse(start: URL | string, stopAt?: string, consent?: 'allow' | 'deny'): Promise<string>;
