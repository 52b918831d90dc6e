/** How often a bucket refills: a period name or milliseconds. */
export type Period = 'second' | 'minute' | 'hour' | number;

const PERIOD_MS = { second: 1000, minute: 60_000, hour: 3_600_000 } as const;

export function periodMs(period: Period): number {
  const ms = typeof period === 'number' ? period : PERIOD_MS[period];
  if (!Number.isFinite(ms) || ms <= 0)
    throw new TypeError(`a rate limit period must be positive, not ${period}`);
  return ms;
}

const UNITS: Record<string, Period> = {
  s: 'second',
  sec: 'second',
  second: 'second',
  m: 'minute',
  min: 'minute',
  minute: 'minute',
  h: 'hour',
  hour: 'hour',
};

/** `20/s`, `100/min`, `1000/h` (the form the CLI takes) as a rate and its period. */
export function parseRate(text: string): { rate: number; period: Period } {
  const match = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i.exec(text);
  const period = match ? UNITS[(match[2] as string).toLowerCase()] : undefined;
  const rate = match ? Number(match[1]) : Number.NaN;
  if (!period || !(rate > 0))
    throw new TypeError(
      `a rate is a count per second, minute or hour, such as 20/s, 100/min or 1000/h; not "${text}"`,
    );
  return { rate, period };
}
