/**
 * Field values shared across every compiled query for the event being evaluated.
 *
 * A replay offers each event to every rule tested on its dataset, and most rules read the same few
 * fields (`event.category`, `process.name`, `host.os.type`, …). Reading a dotted path out of a
 * document costs a lookup per path segment (documents may mix nested and dotted keys), so reading
 * it once per event instead of once per rule is what keeps a hundred rules cheap.
 *
 * Each distinct getter gets a slot; a slot remembers the value it read and the "generation" (the
 * event) it read it for. The generation advances whenever a getter is asked about a different
 * document than the previous call, so the cache needs no explicit reset between events, and is
 * never stale as long as the engine does not mutate documents (it does not: documents are
 * normalized before they reach the engine and only read afterwards).
 */
import type { CanonicalEvent } from '../events/types.js';
import type { FieldGetter } from '../events/fields.js';

let currentDoc: CanonicalEvent | undefined;
let generation = 0;
const values: unknown[] = [];
const stamps: number[] = [];
const shared = new WeakMap<FieldGetter, FieldGetter>();

/** A getter returning what `get` returns, read at most once per event whichever query asks. */
export function sharedFieldGetter(get: FieldGetter): FieldGetter {
  const known = shared.get(get);
  if (known) return known;
  const slot = values.length;
  values.push(undefined);
  stamps.push(-1);
  const cached: FieldGetter = (doc) => {
    if (doc !== currentDoc) {
      currentDoc = doc;
      generation++;
    }
    if (stamps[slot] === generation) return values[slot];
    const v = get(doc);
    values[slot] = v;
    stamps[slot] = generation;
    return v;
  };
  shared.set(get, cached);
  return cached;
}

/**
 * Forget every cached value. Needed only by code that changes a document the engine has already
 * read and then evaluates it again (tests that edit an event in place).
 */
export function resetFieldCache(): void {
  currentDoc = undefined;
  generation++;
}
