/** Stands in for SharedArrayBuffer inside webidl-conversions (see sandbox/build.ts): nothing is ever one. */
const notShared = (): never => {
  throw new TypeError('not a SharedArrayBuffer');
};

export function NoSharedArrayBuffer(): never {
  throw new TypeError('SharedArrayBuffer is not available');
}
Object.defineProperty(NoSharedArrayBuffer, 'prototype', {
  value: Object.create(null, {
    byteLength: { get: notShared, configurable: true },
    growable: { get: notShared, configurable: true },
  }),
});
