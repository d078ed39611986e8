/**
 * The minimal element tree both Windows readers build: the Splunk XML reader from text, the EVTX
 * reader from Binary XML. Sharing it means one function turns an `<Event>` into a `WindowsRecord`,
 * so the same event read from either source gives the same record.
 */
export interface XmlElement {
  /** Qualified name as written (`Event`, `ns:Data`). */
  name: string;
  /** Attributes in document order, values already decoded. */
  attrs: Array<[string, string]>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

export function attr(el: XmlElement, name: string): string | undefined {
  for (const [key, value] of el.attrs) if (localName(key) === name) return value;
  return undefined;
}

export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== 'string') out.push(c);
  return out;
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (typeof c !== 'string' && localName(c.name) === name) return c;
  return undefined;
}

/** All descendant text, concatenated in document order. */
export function textOf(el: XmlElement): string {
  if (el.children.length === 1 && typeof el.children[0] === 'string') return el.children[0];
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textOf(c);
  return out;
}
