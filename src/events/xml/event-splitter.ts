/**
 * A streaming splitter for files made of Windows `<Event>` elements (Splunk's XmlWinEventLog, Event
 * Viewer exports, `wevtutil qe /f:xml`). Text arrives in chunks of any size; every complete
 * top-level `Event` element comes out as a small tree. Wrappers (`<Events>`, an XML declaration,
 * comments) are skipped. Elements are split on element boundaries, not lines, so an event may span
 * lines and a line may hold several events.
 *
 * Deliberately not a general XML parser: no DTD, no entity beyond the five predefined ones and
 * character references (a DOCTYPE is reported and ignored, so no entity expansion can be smuggled
 * in), no namespace processing beyond local names. A malformed event is reported and the splitter
 * resynchronises on the next `<Event` start tag.
 */
import { localName, type XmlElement } from './tree.js';

export type SplitItem =
  | { kind: 'event'; element: XmlElement; line: number; column: number }
  | {
      kind: 'error';
      /** Where the broken event (or the stray content) starts. */
      line: number;
      column: number;
      message: string;
      code: 'malformed' | 'doctype';
    };

export interface SplitterOptions {
  /** Local name of the elements to emit; `Event` by default. */
  elementName?: string;
  /** An element still open after this many characters is reported and skipped (bounded memory). */
  maxElementChars?: number;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z_][\w.-]*))?;?/g;
const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;

/** Decodes the predefined entities and character references; `null` when one is invalid. */
export function decodeEntities(raw: string): string | null {
  if (raw.indexOf('&') < 0) return raw;
  let bad = false;
  const out = raw.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    if (!whole.endsWith(';')) {
      bad = true;
      return whole;
    }
    if (named !== undefined) {
      const value = PREDEFINED[named];
      if (value === undefined) bad = true;
      return value ?? whole;
    }
    const code = hex !== undefined ? parseInt(hex, 16) : dec !== undefined ? parseInt(dec, 10) : NaN;
    if (!Number.isFinite(code) || code > 0x10ffff || code === 0 || (code >= 0xd800 && code <= 0xdfff)) {
      bad = true;
      return whole;
    }
    return String.fromCodePoint(code);
  });
  return bad ? null : out;
}

/** XML end-of-line handling: CRLF and lone CR become LF in character data. */
function normalizeNewlines(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

/** Attribute-value normalization: each whitespace character (CRLF counted once) becomes a space. */
function normalizeAttributeValue(s: string): string {
  return /[\t\n\r]/.test(s) ? s.replace(/\r\n|[\t\n\r]/g, ' ') : s;
}

const START_TAG = /<[^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>/y;
const ATTRIBUTE = /\s*([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

export class EventElementSplitter {
  private readonly elementName: string;
  private readonly maxElementChars: number;
  private buf = '';
  private pos = 0;
  /** Characters dropped from the front of `buf` so far (absolute position of `buf[0]`). */
  private base = 0;
  private line = 1;
  /** Index in `buf` where the current line starts (negative once its start was dropped). */
  private lineStart = 0;
  private stack: XmlElement[] = [];
  private eventLine = 0;
  private eventColumn = 0;
  private eventStartAbs = 0;
  /** After an error: skip everything up to the next `<Event` start tag. */
  private recovering = false;
  private out: SplitItem[] = [];

  constructor(options: SplitterOptions = {}) {
    this.elementName = options.elementName ?? 'Event';
    this.maxElementChars = options.maxElementChars ?? 64 * 1024 * 1024;
  }

  /** Feeds the next piece of text; returns the items it completed. */
  push(text: string): SplitItem[] {
    this.buf = this.pos === 0 ? this.buf + text : this.buf.slice(this.pos) + text;
    if (this.pos !== 0) this.compacted();
    this.drain(false);
    return this.take();
  }

  /** Signals the end of input; reports an element left open. */
  end(): SplitItem[] {
    this.drain(true);
    if (this.stack.length > 0 && !this.recovering) {
      this.error(`the file ends inside <${this.stack[0]!.name}> (no closing </${this.stack[0]!.name}>)`);
    }
    this.stack = [];
    this.buf = '';
    this.pos = 0;
    return this.take();
  }

  private take(): SplitItem[] {
    const items = this.out;
    this.out = [];
    return items;
  }

  private compacted(): void {
    this.base += this.pos;
    this.lineStart -= this.pos;
    this.pos = 0;
  }

  private advance(to: number): void {
    const buf = this.buf;
    let nl = buf.indexOf('\n', this.pos);
    while (nl >= 0 && nl < to) {
      this.line++;
      this.lineStart = nl + 1;
      nl = buf.indexOf('\n', nl + 1);
    }
    this.pos = to;
  }

  private get column(): number {
    return this.pos - this.lineStart + 1;
  }

  private get inElement(): boolean {
    return this.stack.length > 0;
  }

  /** Reports a problem and skips to the next event. Inside an event, it is located at its start. */
  private error(message: string, code: 'malformed' | 'doctype' = 'malformed'): void {
    if (this.inElement) {
      this.out.push({ kind: 'error', line: this.eventLine, column: this.eventColumn, message: `${message} (at line ${this.line})`, code });
    } else {
      this.out.push({ kind: 'error', line: this.line, column: this.column, message, code });
    }
    this.stack = [];
    this.recovering = true;
  }

  private drain(final: boolean): void {
    while (this.pos < this.buf.length) {
      if (this.recovering && !this.resynchronise(final)) return;
      const lt = this.buf.indexOf('<', this.pos);
      if (lt < 0) {
        if (this.inElement) {
          // Text inside an element may continue in the next chunk (an entity could be split).
          if (!final) this.checkSize();
          else this.advance(this.buf.length);
          return;
        }
        this.strayText(this.pos, this.buf.length);
        this.advance(this.buf.length);
        return;
      }
      if (lt > this.pos) {
        if (this.inElement) this.elementText(this.buf.slice(this.pos, lt));
        else this.strayText(this.pos, lt);
        if (this.recovering) continue;
        this.advance(lt);
      }
      if (!this.markup(final)) {
        if (!final && this.inElement) this.checkSize();
        return;
      }
    }
  }

  /** In recovery: moves to the next `<Event` start tag. False when more input is needed. */
  private resynchronise(final: boolean): boolean {
    const re = new RegExp(`<(?:[\\w.-]+:)?${this.elementName}[\\s/>]`, 'g');
    // From the next character: the broken token may itself be an `<Event` start tag.
    re.lastIndex = this.pos + 1;
    const m = re.exec(this.buf);
    if (m) {
      this.advance(m.index);
      this.recovering = false;
      return true;
    }
    // Keep a tail long enough to hold a split start tag.
    const keep = final ? this.buf.length : Math.max(this.pos, this.buf.length - (this.elementName.length + 40));
    this.advance(keep);
    return false;
  }

  private checkSize(): void {
    if (this.base + this.buf.length - this.eventStartAbs > this.maxElementChars) {
      this.error(`<${this.elementName}> is larger than ${this.maxElementChars} characters`);
      this.advance(this.buf.length);
    }
  }

  private strayText(from: number, to: number): void {
    const text = this.buf.slice(from, to);
    const m = /\S/.exec(text);
    if (!m) return;
    this.advance(from + m.index);
    this.error(`text outside any <${this.elementName}> element: ${JSON.stringify(text.trim().slice(0, 40))}`);
  }

  private elementText(raw: string): void {
    // End-of-line handling applies to literal newlines only: `&#13;` stays a CR.
    const decoded = decodeEntities(normalizeNewlines(raw));
    if (decoded === null) {
      this.error('an undefined entity or a bare `&` in text (only &amp; &lt; &gt; &quot; &apos; and &#…; are allowed)');
      return;
    }
    this.appendText(decoded);
  }

  private appendText(text: string): void {
    if (!text) return;
    const top = this.stack[this.stack.length - 1]!;
    const last = top.children.length - 1;
    if (last >= 0 && typeof top.children[last] === 'string') top.children[last] += text;
    else top.children.push(text);
  }

  /** Handles the markup at `pos` (a `<`). False when it is incomplete and more input is needed. */
  private markup(final: boolean): boolean {
    const buf = this.buf;
    const pos = this.pos;
    const next = buf.charCodeAt(pos + 1);
    if (Number.isNaN(next)) return this.incomplete(final, 'a lone `<`');
    if (next === 0x3f /* ? */) return this.skipTo('?>', pos + 2, final, 'processing instruction');
    if (next === 0x21 /* ! */) {
      if (buf.length - pos < 9 && !final) return false;
      if (buf.startsWith('<!--', pos)) return this.skipTo('-->', pos + 4, final, 'comment');
      if (buf.startsWith('<![CDATA[', pos)) {
        const end = buf.indexOf(']]>', pos + 9);
        if (end < 0) return this.incomplete(final, 'CDATA section');
        if (this.inElement) this.appendText(normalizeNewlines(buf.slice(pos + 9, end)));
        else if (/\S/.test(buf.slice(pos + 9, end))) {
          this.error(`CDATA outside any <${this.elementName}> element`);
          return true;
        }
        this.advance(end + 3);
        return true;
      }
      return this.declaration(final);
    }
    if (next === 0x2f /* / */) {
      const end = buf.indexOf('>', pos);
      if (end < 0) return this.incomplete(final, 'end tag');
      const name = buf.slice(pos + 2, end).trim();
      if (this.inElement) {
        const open = this.stack[this.stack.length - 1]!;
        if (open.name !== name) {
          this.error(`</${name}> closes <${open.name}>`);
          return true;
        }
        this.stack.pop();
        this.advance(end + 1);
        if (this.stack.length === 0) this.emit(open);
        return true;
      }
      this.advance(end + 1);
      return true;
    }
    return this.startTag(final);
  }

  private incomplete(final: boolean, what: string): boolean {
    if (!final) return false;
    this.error(`unterminated ${what}`);
    this.advance(this.buf.length);
    return true;
  }

  private skipTo(terminator: string, from: number, final: boolean, what: string): boolean {
    const end = this.buf.indexOf(terminator, from);
    if (end < 0) return this.incomplete(final, what);
    this.advance(end + terminator.length);
    return true;
  }

  /** `<!DOCTYPE …>` (with an internal subset) or another declaration: reported, never applied. */
  private declaration(final: boolean): boolean {
    const buf = this.buf;
    let depth = 0;
    let quote = 0;
    for (let i = this.pos + 2; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x5b /* [ */) depth++;
      else if (c === 0x5d /* ] */) depth--;
      else if (c === 0x3e /* > */ && depth <= 0) {
        const inElement = this.inElement;
        const text = buf.slice(this.pos, Math.min(i + 1, this.pos + 40));
        if (inElement) this.error(`markup declaration inside an element: ${JSON.stringify(text)}`);
        else {
          this.out.push({
            kind: 'error',
            line: this.line,
            column: this.column,
            code: 'doctype',
            message: `ignored ${JSON.stringify(text)}: document type declarations and their entities are not applied`,
          });
        }
        this.advance(i + 1);
        return true;
      }
    }
    return this.incomplete(final, 'markup declaration');
  }

  private startTag(final: boolean): boolean {
    const buf = this.buf;
    const pos = this.pos;
    let quote = 0;
    let end = -1;
    // Fast path: a complete tag whose quoted values hold no `>`-confusion (nearly every tag).
    START_TAG.lastIndex = pos;
    const whole = START_TAG.exec(buf);
    if (whole) end = pos + whole[0].length - 1;
    else for (let i = pos + 1; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e) {
        end = i;
        break;
      } else if (c === 0x3c /* < */) break;
    }
    if (end < 0) {
      if (!final && quote === 0 && buf.indexOf('<', pos + 1) < 0) return false;
      if (!final && quote !== 0) return false;
      this.error('a start tag that never closes with `>`');
      if (!this.inElement) this.advance(pos + 1);
      return true;
    }
    const selfClosing = buf.charCodeAt(end - 1) === 0x2f;
    const inner = buf.slice(pos + 1, selfClosing ? end - 1 : end);
    const nameMatch = /^[^\s/>]+/.exec(inner);
    if (!nameMatch || !NAME_START.test(nameMatch[0][0]!)) {
      this.error(`\`<\` not followed by an element name: ${JSON.stringify(buf.slice(pos, Math.min(end + 1, pos + 20)))}`);
      if (!this.inElement) this.advance(pos + 1);
      return true;
    }
    const name = nameMatch[0];
    const opensEvent = !this.inElement;
    if (opensEvent) {
      if (localName(name) !== this.elementName) {
        // A wrapper such as <Events>: its content is scanned for events.
        this.advance(end + 1);
        return true;
      }
      this.eventLine = this.line;
      this.eventColumn = this.column;
      this.eventStartAbs = this.base + pos;
    }
    const parent = this.stack[this.stack.length - 1];
    const element: XmlElement = { name, attrs: [], children: [] };
    // Open before the attributes are read, so that an error in them is located at the event.
    if (opensEvent) this.stack = [element];
    ATTRIBUTE.lastIndex = name.length;
    let at = name.length;
    for (;;) {
      const m = ATTRIBUTE.exec(inner);
      if (!m) break;
      const value = decodeEntities(normalizeAttributeValue(m[2] ?? m[3] ?? ''));
      if (value === null) {
        this.error(`attribute ${m[1]} of <${name}> has an undefined entity or a bare \`&\``);
        return true;
      }
      element.attrs.push([m[1]!, value]);
      at = ATTRIBUTE.lastIndex;
    }
    if (/\S/.test(inner.slice(at))) {
      this.error(`malformed attributes in <${name}>: ${JSON.stringify(inner.slice(at).trim().slice(0, 40))}`);
      return true;
    }
    this.advance(end + 1);
    if (opensEvent) {
      if (selfClosing) {
        this.stack = [];
        this.emit(element);
      }
      return true;
    }
    parent!.children.push(element);
    if (!selfClosing) this.stack.push(element);
    return true;
  }

  private emit(element: XmlElement): void {
    this.out.push({ kind: 'event', element, line: this.eventLine, column: this.eventColumn });
  }
}
