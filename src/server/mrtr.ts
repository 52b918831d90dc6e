import type { ClientCapabilities, InputRequest } from '../protocol/schemas/index.js';
import {
  capabilityError,
  checkAnswer,
  type InputAsker,
  type InputMethod,
  missingCapability,
} from './input.js';

/** Ends a modern handler run: the client must supply input, then retry (MRTR). */
export class InputRequiredSignal extends Error {
  override readonly name = 'InputRequiredSignal';
  constructor() {
    super('Input required from the client; the request ends with an InputRequiredResult');
  }
}

/**
 * One run of a handler under MRTR (2026-07-28 basic/patterns/mrtr). Input calls are numbered in
 * the order the handler makes them; a call whose answer is known returns it (deterministic replay),
 * the first unknown one records an input request and stops the run. Calls started together
 * (Promise.all) are all recorded, so one round can carry several requests.
 */
export class MrtrRound implements InputAsker {
  private next = 0;
  readonly asked: Record<string, InputRequest> = {};

  constructor(
    private readonly answers: Record<string, unknown>,
    private readonly caps: ClientCapabilities,
  ) {}

  /** Something was asked that this round has no answer for (a flag: no key list per request). */
  get isPending(): boolean {
    return this.unanswered;
  }
  private unanswered = false;

  ask(method: InputMethod, params: Record<string, unknown>, name?: string): Promise<Record<string, unknown>> {
    const key = name ?? `input-${this.next++}`;
    if (key in this.answers) {
      try {
        return Promise.resolve(checkAnswer(method, this.answers[key]));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const missing = missingCapability(method, params, this.caps);
    if (missing) return Promise.reject(capabilityError(missing));
    const { elicitationId: _legacyOnly, ...modern } = params;
    this.asked[key] = { method, params: method === 'elicitation/create' ? modern : params } as InputRequest;
    this.unanswered = true;
    const stop = Promise.reject(new InputRequiredSignal());
    // A handler that drops this promise must not crash the process with an unhandled rejection.
    stop.catch(() => {});
    return stop;
  }
}
