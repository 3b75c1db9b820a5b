/**
 * The single-byte indexes of the Encoding Standard, made at build time from Node's own
 * TextDecoder (its ICU implements the standard's single-byte encodings): each byte 0x80..0xFF
 * decoded alone, in fatal mode so that an unmapped byte shows as an error rather than as
 * U+FFFD. Written in the compact form sandbox/src/encodings/single-byte.ts reads.
 */
import { SINGLE_BYTE_ENCODINGS, encodingLines } from './src/encodings/labels.ts';

// Node's, typed here for sandbox/tsconfig.json too (src/encodings/indexes.ts imports this module).
const NodeTextDecoder = (globalThis as unknown as { TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(b: Uint8Array): string } })
  .TextDecoder;

/** The code points of bytes 0x80..0xFF in encoding `name` as Node decodes them, 0 for unmapped. */
export function nodeSingleByteIndex(name: string): number[] {
  let decoder: { decode(b: Uint8Array): string };
  try {
    decoder = new NodeTextDecoder(name, { fatal: true });
  } catch (e) {
    throw new Error(`sandbox build: this Node's TextDecoder does not know ${name} (a Node built without full ICU?)`, { cause: e });
  }
  const index: number[] = [];
  for (let byte = 0x80; byte <= 0xff; byte++) {
    let s: string;
    try {
      s = decoder.decode(new Uint8Array([byte]));
    } catch {
      index.push(0);
      continue;
    }
    if (s.length !== 1 || s.charCodeAt(0) === 0) throw new Error(`sandbox build: ${name} decodes byte ${byte} to ${JSON.stringify(s)}`);
    index.push(s.charCodeAt(0));
  }
  return index;
}

/** `index` (128 code points, 0 for unmapped) in compact form. */
export function compactIndex(index: number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < index.length; ) {
    let j = i + 1;
    if (index[i] === 0) {
      while (j < index.length && index[j] === 0) j++;
      runs.push(`:${(j - i).toString(36)}`);
    } else {
      while (j < index.length && index[j] === index[j - 1]! + 1) j++;
      const offset = index[i]! - (0x80 + i);
      runs.push(`${offset.toString(36)}${j - i > 1 ? `:${(j - i).toString(36)}` : ''}`);
    }
    i = j;
  }
  return runs.join(',');
}

/** Every single-byte encoding's compact index, by name. */
export function singleByteIndexes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name] of encodingLines(SINGLE_BYTE_ENCODINGS)) out[name!] = compactIndex(nodeSingleByteIndex(name!));
  return out;
}

/** What sandbox/build.ts bundles for src/encodings/indexes.ts: the indexes, in an object without a prototype. */
export function singleByteIndexesModule(): string {
  const entries = Object.entries(singleByteIndexes()).map(([name, compact]) => `${JSON.stringify(name)}:${JSON.stringify(compact)}`);
  return `export default {__proto__:null,${entries.join(',')}};`;
}
