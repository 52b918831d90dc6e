import { describe, expect, it } from 'vitest';
import type { ElicitParams } from '../protocol/schemas/index.js';
import { askForm } from './form.js';

/** Answers in order, and the questions and notes the form showed. */
function scripted(answers: string[]) {
  const asked: string[] = [];
  let shown = '';
  return {
    ask: async (question: string) => {
      asked.push(question);
      const next = answers.shift();
      if (next === undefined) throw new Error(`unexpected question: ${question}`);
      return next;
    },
    write: (text: string) => void (shown += text),
    asked,
    shown: () => shown,
  };
}

const FORM = {
  message: 'Book a table',
  requestedSchema: {
    type: 'object',
    properties: {
      guests: { type: 'integer', title: 'Guests', minimum: 1, maximum: 8 },
      terrace: { type: 'boolean', description: 'outside if the weather allows' },
      time: { type: 'string', enum: ['19:00', '21:00'] },
      note: { type: 'string', maxLength: 5 },
      city: { type: 'string', default: 'Paris' },
    },
    required: ['guests', 'terrace', 'time'],
  },
} as unknown as ElicitParams;

describe('the terminal form for elicitation', () => {
  it('asks each field with its type, re-asks answers that do not fit, and fills defaults', async () => {
    const s = scripted(['y', '0', '2.5', '3', 'maybe', 'n', '3', '2', 'too long', '', '']);
    const result = await askForm(FORM, s.ask, s.write);
    expect(result).toEqual({
      action: 'accept',
      content: { guests: 3, terrace: false, time: '21:00', city: 'Paris' },
    });
    expect(s.asked).toEqual([
      'Answer? [Y]es, [n]o (decline), [c]ancel: ',
      'Guests [integer]: ',
      'Guests [integer]: ',
      'Guests [integer]: ',
      'terrace (outside if the weather allows) [y/n]: ',
      'terrace (outside if the weather allows) [y/n]: ',
      'time [1) 19:00, 2) 21:00]: ',
      'time [1) 19:00, 2) 21:00]: ',
      'note [string, Enter to skip]: ',
      'note [string, Enter to skip]: ',
      'city [string, default Paris]: ',
    ]);
    expect(s.shown()).toBe(
      '\nThe server asks: Book a table\n  at least 1\n  answer a whole number\n  answer y or n\n  choose one of: 19:00, 21:00\n  at most 5 characters\n',
    );
  });

  it('declines and cancels', async () => {
    expect(await askForm(FORM, scripted(['n']).ask, () => {})).toEqual({ action: 'decline' });
    expect(await askForm(FORM, scripted(['c']).ask, () => {})).toEqual({ action: 'cancel' });
  });

  it('shows a URL elicitation and accepts once the user is back', async () => {
    const s = scripted(['']);
    const params = {
      mode: 'url',
      message: 'Sign in',
      url: 'https://auth.example/x',
      elicitationId: '1',
    } as unknown as ElicitParams;
    expect(await askForm(params, s.ask, s.write)).toEqual({ action: 'accept' });
    expect(s.shown()).toContain('Open https://auth.example/x in a browser to continue.');
  });
});
