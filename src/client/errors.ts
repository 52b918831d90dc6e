/** Why a client call failed on this side, as opposed to an error the server sent (McpError). */
export type ClientErrorKind =
  | 'not-connected'
  | 'protocol-mismatch'
  | 'too-many-rounds'
  | 'invalid-output'
  | 'invalid-result'
  | 'unsupported'
  | 'no-handler'
  | 'task-cancelled';

export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly kind: ClientErrorKind,
    message: string,
  ) {
    super(message);
  }
}
