import type { LegacyRevision, ModernRevision, RevisionFeatures } from '../protocol/revisions.js';
import type {
  ClientCapabilities,
  Implementation,
  LoggingLevel,
  ServerCapabilities,
  SubscriptionFilter,
} from '../protocol/schemas/index.js';
import type { HandlerContext } from './context.js';
import type { RegisteredPrompt } from './prompts.js';
import type { Registry } from './registry.js';
import type { RegisteredResource, RegisteredTemplate } from './resources.js';
import type { RunningTask, TaskRecord } from './tasks.js';
import type { RegisteredTool } from './tools.js';

/** A legacy-era session: one per `initialize` (one per stdio process). */
export interface LegacySession {
  revision: LegacyRevision;
  features: RevisionFeatures;
  client: { info?: Implementation; capabilities: ClientCapabilities };
  /** Set by `logging/setLevel`; until then every level is sent. */
  logLevel: LoggingLevel;
  /** Resource URIs the client subscribed to with `resources/subscribe`. */
  subscriptions: Set<string>;
  /** `notifications/initialized` arrived: unsolicited notifications may flow. */
  initialized: boolean;
  notify(method: string, params?: Record<string, unknown>): Promise<void>;
}

/** What method handlers may use of the server. */
export interface ServerCore {
  readonly info: Implementation;
  readonly instructions?: string;
  readonly pageSize: number;
  readonly modernRevisions: readonly ModernRevision[];
  readonly legacyRevisions: readonly LegacyRevision[];
  readonly tools: Registry<RegisteredTool>;
  readonly resources: Registry<RegisteredResource>;
  readonly templates: Registry<RegisteredTemplate>;
  readonly prompts: Registry<RegisteredPrompt>;
  enabledTools(): readonly RegisteredTool[];
  capabilities(): ServerCapabilities;
  /** The part of a listen filter this server can honour. */
  agreeFilter(requested: SubscriptionFilter): SubscriptionFilter;
  /** Tasks extension: a task as tasks/get shows it, or -32602 for an unknown id. */
  taskOrThrow(taskId: string): Promise<TaskRecord>;
  runningTask(taskId: string): RunningTask | undefined;
  cancelTask(taskId: string): Promise<void>;
  /** Serves a listen stream until the client cancels it or the server closes. */
  listen(ctx: HandlerContext, filter: SubscriptionFilter): Promise<void>;
}
