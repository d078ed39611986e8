/**
 * Rendering of Binary XML substitution values as Windows renders them in event XML: decimal
 * integers, `0x…` lower-case hex for HexInt32/64 and size_t, `true`/`false`, `{GUID}` in upper case
 * (the record contract), FILETIME as `YYYY-MM-DDTHH:MM:SS.fffffffZ`, SIDs as `S-1-…`, binary as
 * upper-case hex.
 */
import { TextDecoder } from 'node:util';

export class EvtxFormatError extends Error {
  constructor(
    message: string,
    /** Offset inside the chunk where the problem is. */
    public readonly chunkOffset: number,
  ) {
    super(message);
    this.name = 'EvtxFormatError';
  }
}

export const ValueType = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  ArrayFlag: 0x80,
} as const;

const ansi = new TextDecoder('windows-1252');

/** C-string semantics: Windows renders a string up to its first NUL. */
function cutAtNul(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * XML end-of-line handling, applied here too so that a value with CRLF reads the same from EVTX
 * as from its rendered XML (every XML consumer, Winlogbeat included, sees LF).
 */
function newlines(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

export function utf16(buf: Buffer, start: number, byteLength: number): string {
  return buf.toString('utf16le', start, start + (byteLength & ~1));
}

const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** FILETIME (100-ns ticks since 1601) as Windows renders `SystemTime`. */
export function fileTimeToIso(ticks: bigint): string {
  const sinceUnix = ticks - FILETIME_UNIX_EPOCH;
  let seconds = sinceUnix / 10_000_000n;
  let fraction = sinceUnix % 10_000_000n;
  if (fraction < 0n) {
    fraction += 10_000_000n;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  if (iso.length !== 24) return ''; // outside years 0000-9999
  return `${iso.slice(0, 19)}.${fraction.toString().padStart(7, '0')}Z`;
}

function guidAt(buf: Buffer, o: number): string {
  const hex = (start: number, end: number) => buf.toString('hex', start, end);
  const le = (start: number, len: number) => {
    let s = '';
    for (let i = start + len - 1; i >= start; i--) s += buf[i]!.toString(16).padStart(2, '0');
    return s;
  };
  return `{${le(o, 4)}-${le(o + 4, 2)}-${le(o + 6, 2)}-${hex(o + 8, o + 10)}-${hex(o + 10, o + 16)}}`.toUpperCase();
}

/** SID: revision, sub-authority count, 48-bit big-endian authority, 32-bit sub-authorities. */
function sidAt(buf: Buffer, o: number, size: number): { text: string; length: number } {
  if (size < 8) throw new EvtxFormatError('SID shorter than 8 bytes', o);
  const revision = buf[o]!;
  const count = buf[o + 1]!;
  const length = 8 + 4 * count;
  if (length > size) throw new EvtxFormatError(`SID with ${count} sub-authorities overruns its value`, o);
  const authority = buf.readUIntBE(o + 2, 6);
  let text = `S-${revision}-${authority >= 2 ** 32 ? '0x' + authority.toString(16).toUpperCase().padStart(12, '0') : authority}`;
  for (let i = 0; i < count; i++) text += `-${buf.readUInt32LE(o + 8 + 4 * i)}`;
  return { text, length };
}

function systemTimeAt(buf: Buffer, o: number): string {
  const year = buf.readUInt16LE(o);
  const month = buf.readUInt16LE(o + 2);
  const day = buf.readUInt16LE(o + 6);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${String(year).padStart(4, '0')}-${p2(month)}-${p2(day)}T${p2(buf.readUInt16LE(o + 8))}:${p2(buf.readUInt16LE(o + 10))}:` +
    `${p2(buf.readUInt16LE(o + 12))}.${String(buf.readUInt16LE(o + 14)).padStart(3, '0')}Z`
  );
}

/** Windows prints reals without exponent when it can (`1.5`, `0`); JavaScript's shortest form is close. */
function real(n: number): string {
  if (Number.isNaN(n)) return '-1.#IND';
  if (n === Infinity) return '1.#INF';
  if (n === -Infinity) return '-1.#INF';
  return String(n);
}

const FIXED_SIZE: Partial<Record<number, number>> = {
  [ValueType.Int8]: 1,
  [ValueType.UInt8]: 1,
  [ValueType.Int16]: 2,
  [ValueType.UInt16]: 2,
  [ValueType.Int32]: 4,
  [ValueType.UInt32]: 4,
  [ValueType.Int64]: 8,
  [ValueType.UInt64]: 8,
  [ValueType.Real32]: 4,
  [ValueType.Real64]: 8,
  [ValueType.Bool]: 4,
  [ValueType.Guid]: 16,
  [ValueType.FileTime]: 8,
  [ValueType.SysTime]: 16,
  [ValueType.HexInt32]: 4,
  [ValueType.HexInt64]: 8,
};

/** The size of a value of a fixed-size type (for inline values and array items), else undefined. */
export function fixedSize(type: number): number | undefined {
  return FIXED_SIZE[type];
}

/** One scalar value of `type` stored at `o` with `size` bytes, as text. */
export function renderScalar(buf: Buffer, type: number, o: number, size: number): string {
  const need = FIXED_SIZE[type];
  if (need !== undefined && size < need && !(type === ValueType.Bool && size >= 1)) {
    throw new EvtxFormatError(`value of type 0x${type.toString(16)} needs ${need} bytes, has ${size}`, o);
  }
  switch (type) {
    case ValueType.Null:
      return '';
    case ValueType.String:
      return newlines(cutAtNul(utf16(buf, o, size)));
    case ValueType.AnsiString:
      return newlines(cutAtNul(ansi.decode(buf.subarray(o, o + size))));
    case ValueType.Int8:
      return String(buf.readInt8(o));
    case ValueType.UInt8:
      return String(buf[o]);
    case ValueType.Int16:
      return String(buf.readInt16LE(o));
    case ValueType.UInt16:
      return String(buf.readUInt16LE(o));
    case ValueType.Int32:
      return String(buf.readInt32LE(o));
    case ValueType.UInt32:
      return String(buf.readUInt32LE(o));
    case ValueType.Int64:
      return buf.readBigInt64LE(o).toString();
    case ValueType.UInt64:
      return buf.readBigUInt64LE(o).toString();
    case ValueType.Real32:
      return real(Math.fround(buf.readFloatLE(o)));
    case ValueType.Real64:
      return real(buf.readDoubleLE(o));
    case ValueType.Bool:
      return (size >= 4 ? buf.readUInt32LE(o) : buf[o]) !== 0 ? 'true' : 'false';
    case ValueType.Binary:
      return buf.toString('hex', o, o + size).toUpperCase();
    case ValueType.Guid:
      return guidAt(buf, o);
    case ValueType.SizeT:
      if (size === 4) return '0x' + buf.readUInt32LE(o).toString(16);
      if (size === 8) return '0x' + buf.readBigUInt64LE(o).toString(16);
      throw new EvtxFormatError(`size_t value of ${size} bytes`, o);
    case ValueType.FileTime:
      return fileTimeToIso(buf.readBigUInt64LE(o));
    case ValueType.SysTime:
      return systemTimeAt(buf, o);
    case ValueType.Sid:
      return sidAt(buf, o, size).text;
    case ValueType.HexInt32:
      return '0x' + buf.readUInt32LE(o).toString(16);
    case ValueType.HexInt64:
      return '0x' + buf.readBigUInt64LE(o).toString(16);
    case ValueType.EvtHandle:
    case ValueType.EvtXml:
      return '';
    default:
      throw new EvtxFormatError(`unknown value type 0x${type.toString(16)}`, o);
  }
}

/** The items of an array value (type with the 0x80 flag). */
export function renderArray(buf: Buffer, type: number, o: number, size: number): string[] {
  const item = type & 0x7f;
  const end = o + size;
  const out: string[] = [];
  if (item === ValueType.String || item === ValueType.AnsiString) {
    const text = item === ValueType.String ? utf16(buf, o, size) : ansi.decode(buf.subarray(o, end));
    const parts = text.split('\0');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts.map(newlines);
  }
  if (item === ValueType.Sid) {
    for (let at = o; at < end; ) {
      const sid = sidAt(buf, at, end - at);
      out.push(sid.text);
      at += sid.length;
    }
    return out;
  }
  let width = FIXED_SIZE[item];
  if (item === ValueType.SizeT) width = size % 8 === 0 ? 8 : 4;
  if (width === undefined) throw new EvtxFormatError(`unsupported array of type 0x${item.toString(16)}`, o);
  if (size % width !== 0) throw new EvtxFormatError(`array of ${size} bytes is not a multiple of ${width}`, o);
  for (let at = o; at < end; at += width) out.push(renderScalar(buf, item, at, width));
  return out;
}
