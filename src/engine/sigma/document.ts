/**
 * Sigma YAML text → documents with their nodes (for positions). One text may hold several documents:
 * the rule (or correlation) first, then the documents it needs (filters that apply to it, the
 * rules a correlation refers to), as the loader assembles them.
 */
import type { Document, Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { lazyYaml } from '../../util/lazy-modules.js';

// `yaml` is loaded when the first Sigma text is read: queries in other languages never pay for it.
const isMap = (node: unknown): node is YAMLMap => lazyYaml().isMap(node);
const isSeq = (node: unknown): node is YAMLSeq => lazyYaml().isSeq(node);
const isScalar = (node: unknown): node is Scalar => lazyYaml().isScalar(node);

export type SigmaDocKind = 'rule' | 'correlation' | 'filter' | 'unknown';

export interface SigmaDoc {
  doc: Document.Parsed;
  data: Record<string, unknown>;
  kind: SigmaDocKind;
  /** Offset of the document's first character in the text. */
  start: number;
}

export class SigmaDocumentError extends Error {
  constructor(
    message: string,
    public readonly offset: number,
    public readonly kind: 'syntax' | 'unsupported' | 'semantic' = 'syntax',
  ) {
    super(message);
  }
}

export function docKind(data: Record<string, unknown>): SigmaDocKind {
  if ('correlation' in data) return 'correlation';
  if ('filter' in data && !('detection' in data)) return 'filter';
  if ('detection' in data) return 'rule';
  return 'unknown';
}

export function parseSigmaText(text: string): SigmaDoc[] {
  const docs = lazyYaml().parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) throw new SigmaDocumentError('the Sigma text holds no YAML document', 0);
  const out: SigmaDoc[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new SigmaDocumentError(`invalid YAML: ${err.message.split('\n')[0]}`, err.pos[0]);
    if (doc.contents === null) continue;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // aliases are resolved here: an alias whose anchor is missing, or too many alias uses
      const message = (err as Error).message.split('\n')[0] ?? '';
      const name = /: (\S+)$/.exec(message)?.[1];
      const alias = name ? text.indexOf(`*${name}`, doc.range[0]) : -1;
      throw new SigmaDocumentError(`invalid YAML: ${message}`, alias >= 0 ? alias : doc.range[0]);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new SigmaDocumentError('a Sigma document must be a mapping (title, logsource, detection, …)', doc.range[0]);
    }
    out.push({ doc, data: data as Record<string, unknown>, kind: docKind(data as Record<string, unknown>), start: doc.range[0] });
  }
  if (!out.length) throw new SigmaDocumentError('the Sigma text holds no YAML document', 0);
  return out;
}

/** The node at a path, or undefined. */
export function nodeAt(doc: Document.Parsed, path: (string | number)[]): Node | undefined {
  return (doc.getIn(path, true) as Node | undefined) ?? undefined;
}

/** Start offset of a node (or of its nearest ancestor that exists). */
export function offsetOf(sd: SigmaDoc, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? sd.doc.contents : nodeAt(sd.doc, path.slice(0, n));
    const r = (node as Node | null | undefined)?.range;
    if (r) return r[0];
  }
  return sd.start;
}

/** Offset of a mapping key's own text. */
export function keyOffset(map: YAMLMap, key: string): number | undefined {
  for (const pair of map.items) {
    const k = pair.key as Node | null;
    if (isScalar(k) && String(k.value) === key) return k.range?.[0];
  }
  return undefined;
}

export { isMap, isScalar, isSeq };
