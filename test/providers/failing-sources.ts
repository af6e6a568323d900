// Upload sources that fail at the worst moment, for the object-store providers' commit tests.
import { Readable } from 'node:stream';

/**
 * Yields every byte of `data`, then fails instead of ending: the moment a provider that commits on
 * "all bytes received" (rather than on the stream's end) would store bytes the engine rejected.
 */
export function lateFailingSource(data: Buffer, chunkSize = 64 * 1024): () => Promise<Readable> {
  return async () => {
    let offset = 0;
    return new Readable({
      read() {
        if (offset < data.length) {
          const chunk = data.subarray(offset, offset + chunkSize);
          offset += chunk.length;
          this.push(chunk);
        } else {
          this.destroy(new Error('checksum mismatch found after the last byte'));
        }
      },
    });
  };
}
