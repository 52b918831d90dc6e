export * from './compose.js';
export * from './peer.js';
export * from './transport.js';
