/** Whether a permission string (`tools:search`, `resources:file:///a.txt`) fits a pattern. */
export type GlobMatcher = (subject: string) => boolean;

/**
 * Compiles a permission pattern where `*` stands for any run of characters (newlines included)
 * and everything else for itself. The subject is a caller's tool name or resource URI, up to a
 * whole request body long: it is matched in linear time, never by a backtracking regular
 * expression (`^a.*b.*c$` took 28 s on a 4,000-character URI). The literal pieces between the
 * stars are placed leftmost-first, which finds a match whenever one exists.
 */
export function globMatcher(pattern: string): GlobMatcher {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (subject) => subject === pattern;
  const head = pieces[0]!;
  const tail = pieces.at(-1)!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const least = pieces.reduce((length, piece) => length + piece.length, 0);
  return (subject) => {
    if (subject.length < least || !subject.startsWith(head) || !subject.endsWith(tail)) return false;
    const end = subject.length - tail.length;
    let from = head.length;
    for (const piece of middle) {
      const at = subject.indexOf(piece, from);
      if (at < 0 || at + piece.length > end) return false;
      from = at + piece.length;
    }
    return true;
  };
}
