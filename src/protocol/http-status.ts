import { ErrorCode } from './errors.js';

/**
 * 2026-07-28 Streamable HTTP: the JSON-RPC errors a server answers with an HTTP error status
 * (transports, "Error Handling"). One table for both sides: the server sets the status from it, the
 * client reads these codes as a modern server's answer.
 */
const MODERN_ERROR_STATUS: ReadonlyMap<number, number> = new Map([
  [ErrorCode.MethodNotFound, 404],
  [ErrorCode.UnsupportedProtocolVersion, 400],
  [ErrorCode.HeaderMismatch, 400],
  [ErrorCode.MissingRequiredClientCapability, 400],
]);

/** The HTTP status of a modern answer: 200, or the status its error code calls for. */
export function modernHttpStatus(errorCode: number | undefined): number {
  return errorCode === undefined ? 200 : (MODERN_ERROR_STATUS.get(errorCode) ?? 200);
}

/** True for the codes a modern server answers with an HTTP error status. */
export function isModernHttpError(errorCode: unknown): boolean {
  return typeof errorCode === 'number' && MODERN_ERROR_STATUS.has(errorCode);
}
