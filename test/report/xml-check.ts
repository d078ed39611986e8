/**
 * A strict little XML 1.0 parser for the tests: it accepts only well-formed documents (one root,
 * balanced and properly nested tags, quoted unique attributes, no raw `<` or `&` outside markup, only
 * the predefined and numeric entities, only characters XML allows) and returns the element tree.
 */
export interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
// eslint-disable-next-line no-control-regex
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, where: number): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`raw < or & at ${where}: ${raw.slice(0, 60)}`);
  return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

export function parseXml(doc: string): El {
  if (BAD_CHAR.test(doc)) throw new Error('character not allowed in XML');
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(doc);
  if (decl) i = decl[0].length;
  const stack: El[] = [];
  let root: El | undefined;
  while (i < doc.length) {
    if (doc.startsWith('<!--', i)) {
      const end = doc.indexOf('-->', i);
      if (end < 0) throw new Error('unclosed comment');
      i = end + 3;
      continue;
    }
    if (doc[i] === '<') {
      if (doc[i + 1] === '/') {
        const m = NAME.exec(doc.slice(i + 2));
        if (!m) throw new Error(`bad end tag at ${i}`);
        const top = stack.pop();
        if (!top || top.name !== m[0]) throw new Error(`mismatched </${m[0]}> at ${i}, open: ${top?.name}`);
        i += 2 + m[0].length;
        while (/\s/.test(doc[i] ?? '')) i++;
        if (doc[i] !== '>') throw new Error(`bad end tag at ${i}`);
        i++;
        continue;
      }
      const m = NAME.exec(doc.slice(i + 1));
      if (!m) throw new Error(`bad start tag at ${i}`);
      const el: El = { name: m[0], attrs: {}, children: [], text: '' };
      i += 1 + m[0].length;
      for (;;) {
        const ws = /^\s*/.exec(doc.slice(i))?.[0].length ?? 0;
        i += ws;
        if (doc.startsWith('/>', i) || doc[i] === '>') break;
        if (!ws) throw new Error(`missing space before attribute at ${i}`);
        const a = /^([A-Za-z_:][A-Za-z0-9_.:-]*)\s*=\s*"([^"]*)"/.exec(doc.slice(i));
        if (!a) throw new Error(`bad attribute at ${i}: ${doc.slice(i, i + 40)}`);
        if (a[1] as string in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
        el.attrs[a[1] as string] = decode(a[2] as string, i);
        i += a[0].length;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw new Error('second root element');
      else root = el;
      if (doc.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(el);
      }
      continue;
    }
    const next = doc.indexOf('<', i);
    const raw = doc.slice(i, next < 0 ? doc.length : next);
    const top = stack[stack.length - 1];
    if (!top) {
      if (raw.trim()) throw new Error(`text outside the root at ${i}`);
    } else top.text += decode(raw, i);
    i = next < 0 ? doc.length : next;
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}
