/**
 * The fast reader's tree as `yaml` nodes (Scalar, YAMLMap, YAMLSeq, Pair, Document) with the same
 * values, types, sources and ranges `yaml`'s own parse gives, for code written against `yaml`'s
 * node API (the Sigma compiler reads its positions from them). Building the nodes from the tree
 * costs a fraction of lexing and composing the text again.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import type { FastNode, FastYamlDocument } from './fast-yaml.js';

/** `shift` is added to every offset (the node's text sits that far into a longer text). */
export function toYamlNode(node: FastNode, shift = 0): Node {
  const range: [number, number, number] = [node.range[0] + shift, node.range[1] + shift, node.range[2] + shift];
  if (node.kind === 'scalar') {
    const scalar = new Scalar(node.value);
    scalar.range = range;
    scalar.source = node.source;
    scalar.type = node.type;
    return scalar;
  }
  if (node.kind === 'seq') {
    const seq = new YAMLSeq();
    seq.range = range;
    for (const item of node.items) seq.items.push(toYamlNode(item, shift));
    return seq;
  }
  const map = new YAMLMap();
  map.range = range;
  const { keys, values } = node;
  for (let i = 0; i < keys.length; i++) map.items.push(new Pair(toYamlNode(keys[i] as FastNode, shift), toYamlNode(values[i] as FastNode, shift)));
  return map;
}

/**
 * A parsed-document stand-in: contents and range as `parseDocument` gives them, no errors. With
 * `shift`, the document's text sits that far into a longer text; `start` is then where the
 * document starts there (its `---` marker).
 */
export function toYamlDocument(fast: FastYamlDocument, shift = 0, start = fast.range[0] + shift): Document.Parsed {
  const doc = new Document() as Document.Parsed;
  doc.contents = toYamlNode(fast.root, shift) as Document.Parsed['contents'];
  doc.range = [start, fast.range[1] + shift, fast.range[2] + shift];
  return doc;
}
