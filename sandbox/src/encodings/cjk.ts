/**
 * The lazy module `encodings-cjk` (see sandbox/build.ts): the multi-byte decoders (gb18030
 * and gbk, big5, euc-jp, iso-2022-jp, shift_jis, euc-kr) of @exodus/bytes (a dependency of
 * whatwg-url), written from the Encoding Standard's algorithms and indexes. Node's TextDecoder
 * (ICU) is no source for these: it maps bytes the standard does not (0x80 in big5, euc-jp and
 * euc-kr; big5's leads 0x81..0x86, to private use) and differs on others (shift_jis passes 0x80
 * through, and keeps 0x1A, 0x1C and 0x7F, which ICU swaps).
 * About 170 KB, nearly all of it the indexes; each index is unpacked on first use.
 */
export { createMultibyteDecoder } from '@exodus/bytes/multi-byte.js';
