/**
 * EVTX container structures: the 4 KiB file header, 64 KiB chunks with their 512-byte header,
 * and the event records inside a chunk. Layout per libevtx's format documentation and MS-EVEN6.
 */
import * as zlib from 'node:zlib';

export const FILE_MAGIC = 'ElfFile\0';
export const CHUNK_MAGIC = 'ElfChnk\0';
export const CHUNK_SIZE = 0x10000;
export const CHUNK_HEADER_SIZE = 512;
export const RECORD_MAGIC = 0x00002a2a;

let table: Uint32Array | undefined;

/** CRC-32 (RFC 1952). Node has it natively from 20.15; older versions use the table. */
export function crc32(data: Uint8Array, initial = 0): number {
  const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  if (native) return native(data, initial);
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~initial >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

export interface FileHeader {
  firstChunk: bigint;
  lastChunk: bigint;
  nextRecordId: bigint;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  /** Where the first chunk starts (4096). */
  headerBlockSize: number;
  chunkCount: number;
  dirty: boolean;
  full: boolean;
  checksumOk: boolean;
}

/** Parses the file header; a string says why the data is not an EVTX file header. */
export function parseFileHeader(buf: Buffer): FileHeader | string {
  if (buf.length < 128) return `the file is ${buf.length} bytes, shorter than an EVTX file header (128)`;
  if (buf.toString('latin1', 0, 8) !== FILE_MAGIC) {
    return `not an EVTX file: it starts with ${JSON.stringify(buf.toString('latin1', 0, 8))}, not "ElfFile"`;
  }
  const flags = buf.readUInt32LE(120);
  return {
    firstChunk: buf.readBigUInt64LE(8),
    lastChunk: buf.readBigUInt64LE(16),
    nextRecordId: buf.readBigUInt64LE(24),
    headerSize: buf.readUInt32LE(32),
    minorVersion: buf.readUInt16LE(36),
    majorVersion: buf.readUInt16LE(38),
    headerBlockSize: buf.readUInt16LE(40),
    chunkCount: buf.readUInt16LE(42),
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
    checksumOk: crc32(buf.subarray(0, 120)) === buf.readUInt32LE(124),
  };
}

export interface ChunkHeader {
  firstRecordNumber: bigint;
  lastRecordNumber: bigint;
  firstRecordId: bigint;
  lastRecordId: bigint;
  lastRecordOffset: number;
  freeSpaceOffset: number;
  dataChecksum: number;
  headerChecksum: number;
}

/** Outcome of checking one chunk: its header, or why it cannot be used. */
export type ChunkCheck =
  | { ok: true; header: ChunkHeader }
  | { ok: false; empty: boolean; reason: string; offset: number };

/** Validates the chunk in `buf` (one whole chunk): magic, header fields and both CRC-32s. */
export function checkChunk(buf: Buffer): ChunkCheck {
  if (buf.toString('latin1', 0, 8) !== CHUNK_MAGIC) {
    const empty = buf.subarray(0, CHUNK_HEADER_SIZE).every((b) => b === 0);
    return { ok: false, empty, offset: 0, reason: empty ? 'unused (zero-filled) chunk' : `bad chunk signature ${JSON.stringify(buf.toString('latin1', 0, 8))}` };
  }
  const header: ChunkHeader = {
    firstRecordNumber: buf.readBigUInt64LE(8),
    lastRecordNumber: buf.readBigUInt64LE(16),
    firstRecordId: buf.readBigUInt64LE(24),
    lastRecordId: buf.readBigUInt64LE(32),
    lastRecordOffset: buf.readUInt32LE(44),
    freeSpaceOffset: buf.readUInt32LE(48),
    dataChecksum: buf.readUInt32LE(52),
    headerChecksum: buf.readUInt32LE(124),
  };
  const headerCrc = crc32(buf.subarray(128, CHUNK_HEADER_SIZE), crc32(buf.subarray(0, 120)));
  if (headerCrc !== header.headerChecksum) {
    return {
      ok: false,
      empty: false,
      offset: 124,
      reason: `chunk header checksum mismatch (stored 0x${header.headerChecksum.toString(16).padStart(8, '0')}, computed 0x${headerCrc.toString(16).padStart(8, '0')})`,
    };
  }
  if (header.freeSpaceOffset < CHUNK_HEADER_SIZE || header.freeSpaceOffset > buf.length) {
    return { ok: false, empty: false, offset: 48, reason: `free space offset 0x${header.freeSpaceOffset.toString(16)} outside the chunk` };
  }
  const dataCrc = crc32(buf.subarray(CHUNK_HEADER_SIZE, header.freeSpaceOffset));
  if (dataCrc !== header.dataChecksum) {
    return {
      ok: false,
      empty: false,
      offset: 52,
      reason: `event records checksum mismatch (stored 0x${header.dataChecksum.toString(16).padStart(8, '0')}, computed 0x${dataCrc.toString(16).padStart(8, '0')})`,
    };
  }
  return { ok: true, header };
}

export interface RecordHeader {
  /** Offset of the record in the chunk. */
  offset: number;
  size: number;
  recordId: bigint;
  written: bigint;
}

/** The record header at `offset`, or why there is no valid record there. */
export function recordAt(buf: Buffer, offset: number, limit: number): RecordHeader | string {
  if (offset + 28 > limit) return `record header at chunk offset 0x${offset.toString(16)} runs past the records`;
  if (buf.readUInt32LE(offset) !== RECORD_MAGIC) return `bad record signature at chunk offset 0x${offset.toString(16)}`;
  const size = buf.readUInt32LE(offset + 4);
  if (size < 28 || offset + size > limit) return `record size ${size} at chunk offset 0x${offset.toString(16)} is impossible`;
  if (buf.readUInt32LE(offset + size - 4) !== size) return `record at chunk offset 0x${offset.toString(16)}: trailing size copy does not match`;
  return { offset, size, recordId: buf.readBigUInt64LE(offset + 8), written: buf.readBigUInt64LE(offset + 16) };
}
