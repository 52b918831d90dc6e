/**
 * Splits a character stream into lines, memory-bounded: a line longer than `maxLength` is cut at
 * `maxLength + 1` characters (so the receiver's size check rejects it) and the rest of it, up to
 * its newline, is dropped.
 */
export class LineSplitter {
  private buffer = '';
  private discarding = false;

  constructor(
    private readonly maxLength: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      const piece = chunk.slice(start, newline < 0 ? undefined : newline);
      if (!this.discarding) {
        // Most lines arrive whole: no concatenation for them.
        this.buffer = this.buffer === '' ? piece : this.buffer + piece;
        if (this.buffer.length > this.maxLength) {
          this.emit(this.buffer.slice(0, this.maxLength + 1));
          this.buffer = '';
          this.discarding = newline < 0;
        }
      }
      if (newline < 0) return;
      if (this.discarding) this.discarding = false;
      else this.emit(this.buffer);
      this.buffer = '';
      start = newline + 1;
    }
  }

  private emit(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    // A JSON message starts with a bracket; only other lines need the whitespace test.
    if (text.charCodeAt(0) === 123 /* { */ || text.charCodeAt(0) === 91 /* [ */ || text.trim() !== '')
      this.onLine(text);
  }
}
