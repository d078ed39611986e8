/**
 * Compressed datasets: `.gz` files and `.zip` archives are read as they stream, decompressed chunk
 * by chunk with node:zlib, never extracted to disk or held whole. A zip archive's members are found
 * through its central directory and each is read from its local header on, so an archive with many
 * members replays every one of them.
 *
 * Decompression is bounded against bombs: the total size decompressed and the ratio of decompressed
 * to compressed bytes are limited (defaults below; the dataset descriptor or the read options can
 * raise them). A limit reached is an error for the whole dataset; a corrupt or truncated stream
 * loses only what follows the damage, with a warning.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import { ContentError, type Diagnostic } from '../util/diagnostics.js';
import { crc32 } from './readers/evtx/format.js';

export type ContainerKind = 'gzip' | 'zip';

export interface DecompressionLimits {
  /** Most bytes one dataset may decompress to, all members together. */
  maxBytes: number;
  /** Most decompressed bytes per compressed byte (checked once `RATIO_GRACE_BYTES` are out). */
  maxRatio: number;
}

/**
 * 8 GiB is far beyond any attack dataset (the 1 GB bench input fits eight times), and deflate's
 * ceiling is about 1032:1, so a ratio above 200 is a crafted bomb, not log text (event logs
 * compress 5–50 times; the zero padding of half-empty EVTX chunks more, hence the margin).
 */
export const DEFAULT_DECOMPRESSION_LIMITS: DecompressionLimits = { maxBytes: 8 * 1024 ** 3, maxRatio: 200 };

/** Below this much output the ratio is not checked: a tiny, very repetitive file is no bomb. */
export const RATIO_GRACE_BYTES = 16 * 1024 * 1024;

/** The container a file's first bytes announce, if any. */
export function containerKind(head: Uint8Array): ContainerKind | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06))) return 'zip';
  return undefined;
}

function contentError(file: string, code: string, message: string, hint?: string): ContentError {
  const d: Diagnostic = { file, line: 0, column: 0, severity: 'error', code, message, ...(hint ? { hint } : {}) };
  return new ContentError(d);
}

function size(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

const LIMIT_HINT = 'If the archive is genuine, raise the limit with `max_decompressed_size:` or `max_compression_ratio:` in the dataset descriptor.';

/** Counts decompressed bytes of one dataset against its limits; shared by all its members. */
export class DecompressionBudget {
  private out = 0;
  private compressed = 0;

  constructor(
    readonly file: string,
    readonly limits: DecompressionLimits,
  ) {}

  /** Account for `outBytes` more decompressed from `inBytes` more compressed; throws past a limit. */
  take(outBytes: number, inBytes: number, what: string): void {
    this.out += outBytes;
    this.compressed += inBytes;
    if (this.out > this.limits.maxBytes) {
      throw contentError(
        this.file,
        'dataset/decompression-limit',
        `${what} decompresses to more than ${size(this.limits.maxBytes)} (the limit for one dataset); reading stopped`,
        LIMIT_HINT,
      );
    }
    if (this.out > RATIO_GRACE_BYTES && this.out > this.limits.maxRatio * Math.max(1, this.compressed)) {
      throw contentError(
        this.file,
        'dataset/decompression-limit',
        `${what} expands more than ${this.limits.maxRatio} times (${size(this.out)} from ${size(this.compressed)}): a decompression bomb, or a limit too low; reading stopped`,
        LIMIT_HINT,
      );
    }
  }
}

function isZlibError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * Decompressed bytes of `input` (compressed bytes from `start` to `end` of the file), through
 * `inflater`. Corruption ends the stream with a warning naming `what`; a limit throws.
 */
async function* inflateRange(
  absPath: string,
  range: { start?: number; end?: number },
  inflater: zlib.Gunzip | zlib.InflateRaw,
  budget: DecompressionBudget,
  what: string,
  onDiagnostic: (d: Diagnostic) => void,
): AsyncGenerator<Buffer> {
  const input = createReadStream(absPath, { highWaterMark: 1 << 16, ...range });
  let compressedIn = 0;
  let accounted = 0;
  input.on('data', (chunk: Buffer | string) => {
    compressedIn += chunk.length;
  });
  // pipeline() destroys the inflater with the input's error (unreadable file) and vice versa.
  pipeline(input, inflater, () => {});
  try {
    for await (const out of inflater as AsyncIterable<Buffer>) {
      budget.take(out.length, compressedIn - accounted, what);
      accounted = compressedIn;
      yield out;
    }
  } catch (err) {
    if (!isZlibError(err)) throw err;
    const truncated = err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message);
    onDiagnostic({
      file: budget.file,
      line: 0,
      column: 0,
      severity: 'warning',
      code: truncated ? 'dataset/truncated' : 'dataset/corrupt-archive',
      message: truncated
        ? `${what} ends before its compressed data does (a truncated copy); the events read up to there are kept`
        : `${what} is corrupt (${err.message}); the events before the damage are kept, the rest is lost`,
      hint: 'Download or copy the archive again.',
    });
  } finally {
    input.destroy();
    inflater.destroy();
  }
}

/** The decompressed content of a gzip file (several concatenated gzip members read as one). */
export function gunzipFile(absPath: string, budget: DecompressionBudget, onDiagnostic: (d: Diagnostic) => void): AsyncGenerator<Buffer> {
  return inflateRange(absPath, {}, zlib.createGunzip(), budget, 'the gzip file', onDiagnostic);
}

export interface ZipMember {
  /** Path inside the archive, `/` separators, as stored. */
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD64_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

async function readAt(handle: import('node:fs/promises').FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** Sizes and offsets from a ZIP64 extended-information extra field, where the 32-bit ones are full. */
function applyZip64Extra(extra: Buffer, member: ZipMember): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const take = (): number => {
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (member.size === 0xffffffff && q + 8 <= p + 4 + len) member.size = take();
      if (member.compressedSize === 0xffffffff && q + 8 <= p + 4 + len) member.compressedSize = take();
      if (member.localHeaderOffset === 0xffffffff && q + 8 <= p + 4 + len) member.localHeaderOffset = take();
      return;
    }
    p += 4 + len;
  }
}

/**
 * The members of a zip archive from its central directory (the end of the file: at most 64 KiB of
 * comment plus the directory itself is read). Throws a ContentError when there is no directory.
 */
export async function listZipMembers(absPath: string, file: string): Promise<ZipMember[]> {
  const handle = await open(absPath, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    const tailLength = Math.min(fileSize, 22 + 0xffff);
    const tail = await readAt(handle, fileSize - tailLength, tailLength);
    let eocd = -1;
    for (let p = tail.length - 22; p >= 0; p--) {
      if (tail.readUInt32LE(p) === EOCD_SIGNATURE) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) {
      throw contentError(file, 'dataset/corrupt-archive', 'the zip archive has no central directory (a truncated or damaged file)', 'Download or copy the archive again, or extract what you can and point the test at the files.');
    }
    let count = tail.readUInt16LE(eocd + 10);
    let dirSize = tail.readUInt32LE(eocd + 12);
    let dirOffset = tail.readUInt32LE(eocd + 16);
    const locator = eocd - 20;
    if (locator >= 0 && tail.readUInt32LE(locator) === EOCD64_LOCATOR_SIGNATURE) {
      const eocd64At = Number(tail.readBigUInt64LE(locator + 8));
      const eocd64 = await readAt(handle, eocd64At, 56);
      if (eocd64.length === 56 && eocd64.readUInt32LE(0) === EOCD64_SIGNATURE) {
        count = Number(eocd64.readBigUInt64LE(32));
        dirSize = Number(eocd64.readBigUInt64LE(40));
        dirOffset = Number(eocd64.readBigUInt64LE(48));
      }
    }
    if (dirOffset + dirSize > fileSize) {
      throw contentError(file, 'dataset/corrupt-archive', `the zip central directory points past the end of the file (offset ${dirOffset}, ${dirSize} bytes, file ${fileSize} bytes)`, 'Download or copy the archive again.');
    }
    const dir = await readAt(handle, dirOffset, dirSize);
    const members: ZipMember[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIGNATURE) {
        throw contentError(file, 'dataset/corrupt-archive', `zip central directory entry ${i + 1} of ${count} is damaged (at byte ${dirOffset + p})`, 'Download or copy the archive again.');
      }
      const flags = dir.readUInt16LE(p + 8);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      const nameBytes = dir.subarray(p + 46, p + 46 + nameLength);
      // Bit 11: UTF-8 names; without it the name is CP437, whose ASCII range is all that paths use.
      const name = (flags & 0x800) !== 0 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
      const member: ZipMember = {
        name: name.replace(/\\/g, '/'),
        method: dir.readUInt16LE(p + 10),
        crc32: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        size: dir.readUInt32LE(p + 24),
        localHeaderOffset: dir.readUInt32LE(p + 42),
        encrypted: (flags & 1) !== 0,
      };
      applyZip64Extra(dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), member);
      members.push(member);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return members;
  } finally {
    await handle.close();
  }
}

/**
 * The decompressed bytes of one zip member, checked against its CRC-32 and declared size. A member
 * ruleproof cannot read (encrypted, another compression method) is reported and yields nothing.
 */
export async function* readZipMember(
  absPath: string,
  member: ZipMember,
  budget: DecompressionBudget,
  onDiagnostic: (d: Diagnostic) => void,
): AsyncGenerator<Buffer> {
  const what = `zip member ${member.name}`;
  const warn = (code: string, message: string, hint?: string): void => {
    onDiagnostic({ file: budget.file, line: 0, column: 0, severity: 'warning', code, message, ...(hint ? { hint } : {}) });
  };
  if (member.encrypted) {
    warn('dataset/unsupported-archive', `${what} is encrypted; skipped`, 'Extract it with its password and point the test at the file.');
    return;
  }
  if (member.method !== 0 && member.method !== 8) {
    warn('dataset/unsupported-archive', `${what} uses compression method ${member.method} (only stored and deflate are read); skipped`, 'Re-create the archive with deflate compression.');
    return;
  }
  const handle = await open(absPath, 'r');
  let local: Buffer;
  try {
    local = await readAt(handle, member.localHeaderOffset, 30);
  } finally {
    await handle.close();
  }
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) {
    warn('dataset/corrupt-archive', `${what}: no local header at byte ${member.localHeaderOffset}; skipped`, 'Download or copy the archive again.');
    return;
  }
  const dataStart = member.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const range = member.compressedSize > 0 ? { start: dataStart, end: dataStart + member.compressedSize - 1 } : undefined;
  if (!range) return;
  let crc = 0;
  let total = 0;
  let source: AsyncIterable<Buffer>;
  if (member.method === 8) {
    source = inflateRange(absPath, range, zlib.createInflateRaw(), budget, what, onDiagnostic);
  } else {
    source = (async function* stored(): AsyncGenerator<Buffer> {
      const input = createReadStream(absPath, { highWaterMark: 1 << 16, ...range });
      try {
        for await (const chunk of input as AsyncIterable<Buffer>) {
          budget.take(chunk.length, chunk.length, what);
          yield chunk;
        }
      } finally {
        input.destroy();
      }
    })();
  }
  for await (const chunk of source) {
    crc = crc32(chunk, crc);
    total += chunk.length;
    yield chunk;
  }
  if (total !== member.size || crc !== member.crc32) {
    warn(
      'dataset/corrupt-archive',
      total !== member.size
        ? `${what} decompressed to ${total} bytes, not the ${member.size} its directory entry declares`
        : `${what} fails its CRC-32 check: its content is damaged`,
      'The events read from it are kept; download or copy the archive again.',
    );
  }
}

/** Members that hold data: not folders, descriptors, documentation or macOS resource forks. */
export function isDataMember(name: string): boolean {
  if (name.endsWith('/')) return false;
  if (name.startsWith('__MACOSX/') || name.includes('/__MACOSX/')) return false;
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base === '' || base.startsWith('.')) return false;
  if (/\.meta\.ya?ml$/i.test(base) || /^dataset\.ya?ml$/i.test(base)) return false;
  if (/\.(md|txt)$/i.test(base) || /^(LICEN[CS]E|NOTICE|README)/i.test(base)) return false;
  return true;
}

/** The first `max` decompressed bytes of a stream; the stream is closed after. */
export async function headOf(chunks: AsyncIterable<Buffer>, max = 65536): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    while (length < max) {
      const r = await iterator.next();
      if (r.done) break;
      parts.push(r.value);
      length += r.value.length;
    }
  } finally {
    await iterator.return?.();
  }
  return Buffer.concat(parts).subarray(0, max);
}

/** `4GiB`, `500 MB`, `1048576` → bytes; undefined when it is not a size. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12, tib: 1024 ** 4 };
  const n = Number(m[1]) * (factor[unit] as number);
  return n > 0 ? Math.floor(n) : undefined;
}
