/**
 * Binary XML (MS-EVEN6) as stored in EVTX chunks: every record is a fragment, nearly always a
 * template instance whose definition is stored once per chunk (inline on first use, referenced by
 * offset afterwards) followed by the record's substitution values. A `ChunkBinXml` belongs to one
 * chunk: it caches the chunk's names and compiled templates, which are only valid inside it.
 *
 * Every read is bounds-checked against the structure it belongs to, recursion is limited, and a
 * template that refers to itself is refused: garbage input gives an `EvtxFormatError`, never a
 * hang or an out-of-range read.
 */
import type { XmlElement, XmlNode } from '../../xml/tree.js';
import { EvtxFormatError, fixedSize, renderArray, renderScalar, utf16, ValueType } from './values.js';

/** A substitution slot in a template: replaced by the instance's value number `index`. */
class Sub {
  constructor(
    readonly index: number,
    readonly optional: boolean,
  ) {}
}

/** An element of a template definition; its attributes and content may hold substitutions. */
class TElement {
  constructor(
    readonly name: string,
    readonly attrs: Array<[string, Array<string | Sub>]>,
    readonly children: TNode[],
  ) {}
}

/** Template content: text, a slot, a template element, or an already concrete element. */
type TNode = string | Sub | TElement | XmlElement;

interface Value {
  type: number;
  start: number;
  size: number;
}

interface Cursor {
  pos: number;
  end: number;
}

const MAX_DEPTH = 64;
/**
 * Nodes and characters one record may render to. Substitutions can repeat a value, and a Binary
 * XML value can hold a template instance that repeats its own (nested) value again: a record of
 * a few hundred bytes could otherwise expand exponentially ("billion laughs"). Real records
 * render to a few thousand.
 */
export const MAX_RECORD_OUTPUT = 4_000_000;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function pushText(out: XmlNode[], text: string): void {
  if (!text) return;
  const last = out.length - 1;
  if (last >= 0 && typeof out[last] === 'string') out[last] += text;
  else out.push(text);
}

export class ChunkBinXml {
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TNode[] | EvtxFormatError>();
  private readonly compiling = new Set<number>();
  private output = 0;
  private recordStart = 0;

  /** `chunk` holds the whole chunk: every offset in Binary XML is relative to its start. */
  constructor(private readonly chunk: Buffer) {}

  /** The `<Event>` element of the record whose Binary XML spans `[start, end)` of the chunk. */
  renderRecord(start: number, end: number): XmlElement {
    this.output = 0;
    this.recordStart = start;
    const nodes = this.instantiate(this.document({ pos: start, end }, false, 0), [], 0);
    for (const node of nodes) if (typeof node !== 'string') return node;
    throw new EvtxFormatError('the record holds no element', start);
  }

  // ---- primitive reads ---------------------------------------------------------------------

  private need(c: Cursor, n: number): void {
    if (c.pos + n > c.end) throw new EvtxFormatError(`truncated Binary XML (needs ${n} bytes, ${c.end - c.pos} left)`, c.pos);
  }

  private u8(c: Cursor): number {
    this.need(c, 1);
    return this.chunk[c.pos++]!;
  }

  private u16(c: Cursor): number {
    this.need(c, 2);
    const v = this.chunk.readUInt16LE(c.pos);
    c.pos += 2;
    return v;
  }

  private u32(c: Cursor): number {
    this.need(c, 4);
    const v = this.chunk.readUInt32LE(c.pos);
    c.pos += 4;
    return v;
  }

  private peek(c: Cursor): number {
    this.need(c, 1);
    return this.chunk[c.pos]!;
  }

  /** A length-prefixed (UTF-16 code units) string, as in value text, CDATA and PI data. */
  private prefixedString(c: Cursor): string {
    const chars = this.u16(c);
    this.need(c, chars * 2);
    const s = utf16(this.chunk, c.pos, chars * 2);
    c.pos += chars * 2;
    return s;
  }

  /**
   * A name: stored inline where it is first used (the offset then points at the cursor) or
   * referenced by chunk offset afterwards. Layout: next-string offset (4), hash (2), length in
   * characters (2), UTF-16 characters, NUL (2).
   */
  private name(c: Cursor, offset: number): string {
    const inline = offset === c.pos;
    let name = this.names.get(offset);
    if (name === undefined) {
      if (offset + 8 > this.chunk.length) throw new EvtxFormatError(`name offset 0x${offset.toString(16)} outside the chunk`, c.pos);
      const chars = this.chunk.readUInt16LE(offset + 6);
      if (offset + 8 + chars * 2 > this.chunk.length) throw new EvtxFormatError('name runs past the chunk', offset);
      name = utf16(this.chunk, offset + 8, chars * 2);
      this.names.set(offset, name);
    }
    if (inline) {
      const size = 8 + name.length * 2 + 2;
      this.need(c, size);
      c.pos += size;
    }
    return name;
  }

  // ---- structure ------------------------------------------------------------------------------

  /** A fragment, a sequence of fragments, or the content of a BinXml value: up to EOF or `end`. */
  private document(c: Cursor, inValue: boolean, depth: number): TNode[] {
    if (depth > MAX_DEPTH) throw new EvtxFormatError('Binary XML nested too deeply', c.pos);
    const out: TNode[] = [];
    while (c.pos < c.end) {
      const token = this.peek(c);
      switch (token & 0xbf) {
        case 0x00:
          c.pos++;
          return out;
        case 0x0f: // fragment header: token, major, minor, flags
          this.need(c, 4);
          c.pos += 4;
          break;
        case 0x0c:
          for (const node of this.templateInstance(c, depth)) out.push(node);
          break;
        case 0x01:
          out.push(this.element(c, inValue, depth + 1));
          break;
        case 0x0a:
        case 0x0b:
          this.processingInstruction(c);
          break;
        default:
          throw new EvtxFormatError(`unexpected Binary XML token 0x${token.toString(16)} at document level`, c.pos);
      }
    }
    return out;
  }

  private processingInstruction(c: Cursor): void {
    const token = this.u8(c);
    if (token === 0x0a) this.name(c, this.u32(c));
    else this.prefixedString(c);
  }

  /**
   * An element. In a BinXml-typed substitution value the element start has no dependency
   * identifier (libevtx documents this; Windows writes it that way).
   */
  private element(c: Cursor, inValue: boolean, depth: number): TElement {
    if (depth > MAX_DEPTH) throw new EvtxFormatError('elements nested too deeply', c.pos);
    const token = this.u8(c);
    if (!inValue) this.u16(c); // dependency identifier
    this.u32(c); // data size: the tokens themselves say where the element ends
    const name = this.name(c, this.u32(c));
    const attrs: Array<[string, Array<string | Sub>]> = [];
    if (token & 0x40) {
      const listSize = this.u32(c);
      const listEnd = c.pos + listSize;
      if (listEnd > c.end) throw new EvtxFormatError(`attribute list of <${name}> runs past its data`, c.pos);
      while (c.pos < listEnd && (this.peek(c) & 0xbf) === 0x06) {
        c.pos++;
        const attrName = this.name(c, this.u32(c));
        attrs.push([attrName, this.attributeValue(c)]);
      }
    }
    const close = this.u8(c);
    if (close === 0x03) return new TElement(name, attrs, []);
    if (close !== 0x02) throw new EvtxFormatError(`<${name}>: expected the end of its start tag, found token 0x${close.toString(16)}`, c.pos - 1);
    return new TElement(name, attrs, this.content(c, inValue, depth));
  }

  private attributeValue(c: Cursor): Array<string | Sub> {
    const parts: Array<string | Sub> = [];
    while (c.pos < c.end) {
      const base = this.peek(c) & 0xbf;
      if (base === 0x05) parts.push(this.valueText(c));
      else if (base === 0x0d || base === 0x0e) parts.push(this.substitution(c));
      else if (base === 0x08) parts.push(this.charRef(c));
      else if (base === 0x09) parts.push(this.entityRef(c));
      else break;
    }
    return parts;
  }

  private content(c: Cursor, inValue: boolean, depth: number): TNode[] {
    const out: TNode[] = [];
    for (;;) {
      const token = this.peek(c);
      switch (token & 0xbf) {
        case 0x04:
          c.pos++;
          return out;
        case 0x01:
          out.push(this.element(c, inValue, depth + 1));
          break;
        case 0x05:
          out.push(this.valueText(c));
          break;
        case 0x07:
          c.pos++;
          out.push(this.prefixedString(c));
          break;
        case 0x08:
          out.push(this.charRef(c));
          break;
        case 0x09:
          out.push(this.entityRef(c));
          break;
        case 0x0a:
        case 0x0b:
          this.processingInstruction(c);
          break;
        case 0x0c:
          for (const node of this.templateInstance(c, depth)) out.push(node);
          break;
        case 0x0d:
        case 0x0e:
          out.push(this.substitution(c));
          break;
        case 0x0f:
          this.need(c, 4);
          c.pos += 4;
          break;
        case 0x00:
          throw new EvtxFormatError('end of fragment inside an element', c.pos);
        default:
          throw new EvtxFormatError(`unknown Binary XML token 0x${token.toString(16)}`, c.pos);
      }
    }
  }

  /** Value text: a type byte then the value; in practice always a length-prefixed string. */
  private valueText(c: Cursor): string {
    c.pos++;
    const type = this.u8(c);
    if (type === ValueType.String) {
      const s = this.prefixedString(c);
      return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
    }
    const size = fixedSize(type);
    if (size === undefined) throw new EvtxFormatError(`value text of unsupported type 0x${type.toString(16)}`, c.pos - 1);
    this.need(c, size);
    const text = renderScalar(this.chunk, type, c.pos, size);
    c.pos += size;
    return text;
  }

  private charRef(c: Cursor): string {
    c.pos++;
    return String.fromCharCode(this.u16(c));
  }

  private entityRef(c: Cursor): string {
    c.pos++;
    const name = this.name(c, this.u32(c));
    return ENTITIES[name] ?? `&${name};`;
  }

  private substitution(c: Cursor): Sub {
    const token = this.u8(c);
    const index = this.u16(c);
    this.u8(c); // declared type: the instance's value descriptor is what counts
    return new Sub(index, token === 0x0e);
  }

  // ---- templates ------------------------------------------------------------------------------

  /**
   * Template instance: token, unknown byte, template id, definition offset. When the definition
   * offset points right here, the definition follows inline (first use in the chunk); the instance
   * data (value count, descriptors, values) comes after it either way.
   */
  private templateInstance(c: Cursor, depth: number): XmlNode[] {
    const at = c.pos;
    c.pos += 2;
    this.need(c, 8);
    this.u32(c); // template id (first bytes of its GUID)
    const definition = this.u32(c);
    const body = this.template(definition, depth + 1, at);
    if (definition === c.pos) {
      c.pos = definition + 24 + this.chunk.readUInt32LE(definition + 20);
      if (c.pos > c.end) throw new EvtxFormatError('inline template definition runs past the record', at);
    }
    const count = this.u32(c);
    if (count * 4 > c.end - c.pos) throw new EvtxFormatError(`template instance claims ${count} values`, at);
    const values: Value[] = new Array(count);
    let data = c.pos + count * 4;
    for (let i = 0; i < count; i++) {
      const size = this.chunk.readUInt16LE(c.pos + 4 * i);
      const type = this.chunk[c.pos + 4 * i + 2]!;
      values[i] = { type, start: data, size };
      data += size;
    }
    if (data > c.end) throw new EvtxFormatError('substitution values run past the record', c.pos);
    c.pos = data;
    return this.instantiate(body, values, depth + 1);
  }

  /** Compiles (once per chunk) the definition at `offset`: next offset, GUID, data size, body. */
  private template(offset: number, depth: number, from: number): TNode[] {
    const cached = this.templates.get(offset);
    if (cached instanceof EvtxFormatError) throw cached;
    if (cached) return cached;
    if (this.compiling.has(offset)) throw new EvtxFormatError('a template that contains itself', from);
    if (offset < 512 || offset + 24 > this.chunk.length) {
      throw new EvtxFormatError(`template definition offset 0x${offset.toString(16)} outside the chunk's records`, from);
    }
    const size = this.chunk.readUInt32LE(offset + 20);
    const end = offset + 24 + size;
    if (end > this.chunk.length) throw new EvtxFormatError('template definition runs past the chunk', offset);
    this.compiling.add(offset);
    try {
      const body = this.document({ pos: offset + 24, end }, false, depth);
      this.templates.set(offset, body);
      return body;
    } catch (err) {
      if (err instanceof EvtxFormatError) this.templates.set(offset, err);
      throw err;
    } finally {
      this.compiling.delete(offset);
    }
  }

  /** Counts rendered output against `MAX_RECORD_OUTPUT`. */
  private spend(units: number, at: number): void {
    this.output += units;
    if (this.output > MAX_RECORD_OUTPUT) {
      throw new EvtxFormatError(`the record expands to more than ${MAX_RECORD_OUTPUT} nodes and characters (substitutions repeating nested values)`, at);
    }
  }

  private instantiate(nodes: TNode[], values: Value[], depth: number): XmlNode[] {
    const out: XmlNode[] = [];
    this.spend(nodes.length, this.recordStart);
    for (const node of nodes) {
      if (typeof node === 'string') pushText(out, node);
      else if (node instanceof Sub) this.substitute(out, node, values, depth);
      else if (node instanceof TElement) this.instantiateElement(out, node, values, depth);
      else out.push(node);
    }
    return out;
  }

  private instantiateElement(out: XmlNode[], el: TElement, values: Value[], depth: number): void {
    const attrs = this.instantiateAttributes(el, values);
    const only = el.children.length === 1 ? el.children[0] : undefined;
    if (only instanceof Sub) {
      const value = values[only.index];
      if (value && value.type & ValueType.ArrayFlag && value.size > 0) {
        this.spend(value.size, value.start);
        // An element whose content is an array is repeated once per item (as Windows renders it).
        for (const item of renderArray(this.chunk, value.type, value.start, value.size)) {
          out.push({ name: el.name, attrs, children: item ? [item] : [] });
        }
        return;
      }
    }
    out.push({ name: el.name, attrs, children: this.instantiate(el.children, values, depth) });
  }

  private instantiateAttributes(el: TElement, values: Value[]): Array<[string, string]> {
    const attrs: Array<[string, string]> = [];
    for (const [name, parts] of el.attrs) {
      let text = '';
      let present = parts.length === 0;
      for (const part of parts) {
        if (typeof part === 'string') {
          text += part;
          present = true;
          continue;
        }
        const value = values[part.index];
        if (!value || value.type === ValueType.Null || (value.size === 0 && part.optional)) {
          if (!part.optional) present = true;
          continue;
        }
        present = true;
        text += this.scalarText(value);
      }
      // An optional substitution without a value removes its attribute (`<Correlation/>`).
      if (present) attrs.push([name, text]);
    }
    return attrs;
  }

  private scalarText(value: Value): string {
    this.spend(value.size, value.start);
    if (value.type & ValueType.ArrayFlag) return renderArray(this.chunk, value.type, value.start, value.size).join(', ');
    if (value.type === ValueType.BinXml) {
      const nodes = this.binXmlValue(value, 0);
      return nodes.map((n) => (typeof n === 'string' ? n : '')).join('');
    }
    return renderScalar(this.chunk, value.type, value.start, value.size);
  }

  private substitute(out: XmlNode[], sub: Sub, values: Value[], depth: number): void {
    const value = values[sub.index];
    if (!value || value.type === ValueType.Null || value.size === 0) return;
    if (value.type === ValueType.BinXml) {
      for (const node of this.binXmlValue(value, depth + 1)) {
        if (typeof node === 'string') pushText(out, node);
        else out.push(node);
      }
      return;
    }
    pushText(out, this.scalarText(value));
  }

  /** A BinXml-typed value: an element, a fragment or a template instance embedded in a value. */
  private binXmlValue(value: Value, depth: number): XmlNode[] {
    this.spend(value.size, value.start);
    const nodes = this.document({ pos: value.start, end: value.start + value.size }, true, depth + 1);
    return this.instantiate(nodes, [], depth + 1);
  }
}
