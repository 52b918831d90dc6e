/** Completes an argument value: a list of candidates, or a page of them with a total. */
export type Completer = (
  value: string,
  context: { arguments: Record<string, string> },
) => string[] | CompletionPage | Promise<string[] | CompletionPage>;

export interface CompletionPage {
  values: string[];
  total?: number;
  hasMore?: boolean;
}

const MAX_VALUES = 100;

/** The spec caps a completion answer at 100 values; longer lists are cut and flagged. */
export function toCompletion(found: string[] | CompletionPage): CompletionPage {
  const page = Array.isArray(found) ? { values: found } : found;
  if (page.values.length <= MAX_VALUES) return page;
  return { values: page.values.slice(0, MAX_VALUES), total: page.total ?? page.values.length, hasMore: true };
}
