// The bytes of one source object on their way to a target: every checksum the source declared is
// computed as they pass, and the last chunk is held back until the source has ended and every
// checksum matched. A provider commits an object only after its body ended (rename, multipart
// complete, block-list commit, resumable finalize, last byte of one request), so bytes that fail
// verification never reach the target's final name: the stream errors instead of ending.
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { holdLastChunk } from '../lib/held-last-chunk';
import { StorageError } from '../providers/errors';
import type { Checksums, ObjectInfo } from '../providers/provider';

/** What the bytes are checked against: the source's own account of the version being read. */
export type Expected = Pick<ObjectInfo, 'key' | 'size' | 'md5' | 'checksums'>;

/** What was computed over the bytes that passed. */
export interface Computed {
  md5: string;
  size: number;
  checksums: Checksums;
  /** Names of the source checksums the bytes were verified against (for logs and docs). */
  verifiedWith: string[];
}

interface Digest {
  update(chunk: Buffer): void;
  digest(): Promise<string>;
}

/** A checksum of the SDK's kind (async digest of raw bytes), as base64. */
function base64Digest(make: () => { update(data: Uint8Array): void; digest(): Promise<Uint8Array> }): Digest {
  const state = make();
  return {
    update: (chunk) => state.update(chunk),
    digest: async () => Buffer.from(await state.digest()).toString('base64'),
  };
}

const FULL_OBJECT_CHECKSUMS = {
  crc32c: () => base64Digest(() => new Crc32c()),
  crc32: () => base64Digest(() => new Crc32()),
  crc64nvme: () => base64Digest(() => new Crc64Nvme()),
  sha256: (): Digest => {
    const hash = createHash('sha256');
    return { update: (chunk) => hash.update(chunk), digest: async () => hash.digest('base64') };
  },
} as const;

type FullObjectAlgorithm = keyof typeof FULL_OBJECT_CHECKSUMS;

/** S3's multipart ETag: the MD5 of the parts' binary MD5s, then `-<part count>`. */
class MultipartEtag implements Digest {
  private readonly partDigests: Buffer[] = [];
  private part: Hash = createHash('md5');
  private inPart = 0;

  constructor(private readonly partSize: number) {}

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.inPart, chunk.length - offset);
      this.part.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === this.partSize) this.closePart();
    }
  }

  async digest(): Promise<string> {
    if (this.inPart > 0 || this.partDigests.length === 0) this.closePart();
    const whole = createHash('md5').update(Buffer.concat(this.partDigests)).digest('hex');
    return `${whole}-${this.partDigests.length}`;
  }

  private closePart(): void {
    this.partDigests.push(this.part.digest());
    this.part = createHash('md5');
    this.inPart = 0;
  }
}

export interface VerifiedSource {
  /** The bytes, ending only after they were verified. */
  stream: Readable;
  /** Settles once the stream ended verified; undefined before that. */
  computed(): Computed | undefined;
}

/**
 * Wraps `body` (the source's bytes of `expected`) so it yields the same bytes, but fails with a
 * retryable StorageError — before its last chunk — when the byte count or any declared checksum
 * differs. `onBytes` sees every chunk as it passes (progress). Destroying the result destroys `body`.
 * `md5ByTarget`: the target checks `expected.md5` itself before it commits (verifiesMd5), so the MD5
 * is not computed here (a second pass over every byte) and Computed.md5 is the expected one.
 */
export function verifiedSource(body: Readable, expected: Expected, onBytes?: (count: number) => void, md5ByTarget = false): VerifiedSource {
  const md5 = md5ByTarget && expected.md5 ? undefined : createHash('md5');
  const checks: Array<{ name: string; want: string; digest: Digest }> = [];
  for (const name of Object.keys(FULL_OBJECT_CHECKSUMS) as FullObjectAlgorithm[]) {
    const want = expected.checksums?.[name];
    if (want) checks.push({ name, want, digest: FULL_OBJECT_CHECKSUMS[name]() });
  }
  const multipart = expected.checksums?.multipartEtag;
  if (multipart && !expected.md5) {
    checks.push({ name: 'multipart ETag', want: multipart.etag.toLowerCase(), digest: new MultipartEtag(multipart.partSize) });
  }
  let result: Computed | undefined;
  let seen = 0;

  const stream = holdLastChunk(body, {
    chunk: (data) => {
      seen += data.length;
      if (seen > expected.size) throw mismatch(expected.key, `the source gave more than the ${expected.size} bytes it listed`);
      md5?.update(data);
      for (const check of checks) check.digest.update(data);
      onBytes?.(data.length);
    },
    end: async () => {
      if (seen !== expected.size) throw mismatch(expected.key, `the source gave ${seen} bytes, but its version has ${expected.size}`);
      const md5Hex = md5 ? md5.digest('hex') : expected.md5!;
      if (expected.md5 && expected.md5 !== md5Hex) {
        throw mismatch(expected.key, `MD5 of the bytes read (${md5Hex}) differs from the source's (${expected.md5})`);
      }
      const verifiedWith = expected.md5 ? ['md5'] : [];
      const checksums: Checksums = {};
      for (const check of checks) {
        const got = await check.digest.digest();
        if (got !== check.want) throw mismatch(expected.key, `${check.name} of the bytes read (${got}) differs from the source's (${check.want})`);
        verifiedWith.push(check.name);
        if (check.name !== 'multipart ETag') checksums[check.name as FullObjectAlgorithm] = got;
      }
      result = { md5: md5Hex, size: seen, checksums, verifiedWith };
    },
  });
  return { stream, computed: () => result };
}

function mismatch(key: string, detail: string): StorageError {
  return new StorageError('Transient', `${key}: ${detail}; the object was corrupted in transit or changed during the copy, so nothing was committed`);
}
