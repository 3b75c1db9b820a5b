/**
 * The lazy module `encodings` (see sandbox/build.ts): the labels of the legacy encodings and
 * the indexes of the single-byte ones, for web/encoding.ts. The indexes are made at build
 * time from Node's own TextDecoder (sandbox/encoding-indexes.ts); each is unpacked on first use.
 */

import { ObjectCreate } from '../boot-exports.ts';
import INDEXES from './indexes.ts';
import { MULTI_BYTE_ENCODINGS, SINGLE_BYTE_ENCODINGS, encodingLines } from './labels.ts';
import { parseSingleByteIndex } from './single-byte.ts';

const byLabel = ObjectCreate(null) as Record<string, string>;
addLabels(SINGLE_BYTE_ENCODINGS);
addLabels(MULTI_BYTE_ENCODINGS);

function addLabels(table: string): void {
  const lines = encodingLines(table);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (let j = 0; j < line.length; j++) byLabel[line[j]!] = line[0]!;
  }
}

const indexes = ObjectCreate(null) as Record<string, Uint16Array>;

/** The encoding `label` (trimmed, ASCII-lowercased) names, or undefined. */
export function encodingForLabel(label: string): string | undefined {
  return byLabel[label];
}

/** The index of single-byte encoding `name`, or undefined for a multi-byte one. */
export function singleByteIndex(name: string): Uint16Array | undefined {
  const compact = INDEXES[name];
  if (compact === undefined) return undefined;
  return (indexes[name] ??= parseSingleByteIndex(compact));
}
