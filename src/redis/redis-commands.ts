/**
 * What mcpkit's Redis stores need of a client: ioredis's generic `call` (a `Redis` or a
 * `Cluster`). Naming only this keeps ioredis an optional peer that this code never imports.
 */
export interface RedisCommands {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}
