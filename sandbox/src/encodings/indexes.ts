/**
 * The compact single-byte indexes (see single-byte.ts) by encoding name. sandbox/build.ts
 * bundles the value this module has in Node, computed from Node's TextDecoder, in its place:
 * only Node (the build, unit tests) ever evaluates this code.
 */
import { singleByteIndexes } from '../../encoding-indexes.ts';

export default singleByteIndexes();
