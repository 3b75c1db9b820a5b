/**
 * Maps positions in a function's bundled code back to the user's own files, so a stack
 * trace in the logs reads `index.ts:12:7`, not `bundle.js:40:13`.
 */
import { SourceMap } from 'node:module';

export class StackMapper {
  readonly #filename: string;
  readonly #rawMap: string | undefined;
  readonly #firstLineColumnOffset: number;
  #map: SourceMap | undefined | null = null;

  constructor(filename: string, rawMap: string | undefined, firstLineColumnOffset: number) {
    this.#filename = filename;
    this.#rawMap = rawMap;
    this.#firstLineColumnOffset = firstLineColumnOffset;
  }

  /** Rewrite every `filename:line:column` of the bundle in `stack` to the original position. */
  map(stack: string): string {
    const map = this.#sourceMap();
    if (!map) return stack;
    const escaped = this.#filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return stack.replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'), (whole, lineText: string, columnText: string) => {
      const line = Number(lineText) - 1;
      let column = Number(columnText) - 1;
      if (line === 0) column -= this.#firstLineColumnOffset;
      const entry = map.findEntry(line, Math.max(0, column)) as { originalSource?: string; originalLine?: number; originalColumn?: number };
      if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
      return `${entry.originalSource}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
    });
  }

  #sourceMap(): SourceMap | undefined {
    if (this.#map === null) {
      try {
        this.#map = this.#rawMap ? new SourceMap(JSON.parse(this.#rawMap)) : undefined;
      } catch {
        this.#map = undefined;
      }
    }
    return this.#map;
  }
}
