/** WebIDL pair iterators (§3.7.10.1): entries/keys/values/@@iterator with a shared, named iterator prototype. */

import {
  ObjectCreate,
  ObjectDefineProperty,
  ObjectGetPrototypeOf,
  SymbolIterator,
  SymbolToStringTag,
  TypeError_,
  WeakMap_,
  WeakMapPrototypeGet,
  WeakMapPrototypeSet,
  dataDescriptor,
} from '../primordials.ts';

type Pair = [string, string];
type Kind = 'key' | 'value' | 'key+value';
interface State {
  target: object;
  kind: Kind;
  index: number;
}

// %ArrayIteratorPrototype%'s parent is %IteratorPrototype%.
const IteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf([][SymbolIterator]())) as object;

/** Installs entries/keys/values/forEach-style iteration over `pairsOf(instance)`, re-read on every step. */
export function defineIterator(cls: { prototype: object; name: string }, tag: string, pairsOf: (o: object) => Pair[]): void {
  const states = new WeakMap_<object, State>();
  const proto = ObjectCreate(IteratorPrototype) as object;
  const next = {
    next(this: object) {
      const st = WeakMapPrototypeGet(states, this) as State | undefined;
      if (st === undefined) throw new TypeError_(`next() called on an object that is not a ${tag}`);
      const pairs = pairsOf(st.target);
      if (st.index >= pairs.length) return { value: undefined, done: true };
      const p = pairs[st.index++]!;
      const value = st.kind === 'key' ? p[0] : st.kind === 'value' ? p[1] : [p[0], p[1]];
      return { value, done: false };
    },
  }.next;
  ObjectDefineProperty(proto, 'next', dataDescriptor(next, true, true, true));
  ObjectDefineProperty(proto, SymbolToStringTag, dataDescriptor(tag, false, false, true));

  const make = (target: object, kind: Kind) => {
    const it = ObjectCreate(proto) as object;
    WeakMapPrototypeSet(states, it, { target, kind, index: 0 });
    return it;
  };
  const methods = {
    entries(this: object) {
      check(this);
      return make(this, 'key+value');
    },
    keys(this: object) {
      check(this);
      return make(this, 'key');
    },
    values(this: object) {
      check(this);
      return make(this, 'value');
    },
  };
  const check = (self: object) => {
    pairsOf(self); // throws a TypeError for a non-instance (private field brand check)
  };
  ObjectDefineProperty(cls.prototype, 'entries', dataDescriptor(methods.entries, true, true, true));
  ObjectDefineProperty(cls.prototype, 'keys', dataDescriptor(methods.keys, true, true, true));
  ObjectDefineProperty(cls.prototype, 'values', dataDescriptor(methods.values, true, true, true));
  ObjectDefineProperty(cls.prototype, SymbolIterator, dataDescriptor(methods.entries, false, true, true));
}
