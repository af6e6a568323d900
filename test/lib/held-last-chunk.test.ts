// The pass-through behind the upload size guard and the copy verification (lib/held-last-chunk.ts):
// a consumer that commits on the last byte must never get every byte of a source that fails a check,
// and no source failure may leave the consumer waiting.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { holdLastChunk } from '../../electron/lib/held-last-chunk';

/** A source of `chunks` that pauses between them, as a file or socket would. */
function sourceOf(chunks: string[], end: 'end' | Error | 'close' = 'end'): Readable {
  let next = 0;
  return new Readable({
    read() {
      setImmediate(() => {
        if (next < chunks.length) return void this.push(Buffer.from(chunks[next++]!));
        if (end === 'end') this.push(null);
        else if (end === 'close') this.destroy();
        else this.destroy(end);
      });
    },
  });
}

/** What a consumer received before the stream ended or failed, and how it ended. */
async function consume(stream: Readable): Promise<{ received: string; error?: Error }> {
  let received = '';
  try {
    for await (const chunk of stream) received += chunk.toString();
  } catch (err) {
    return { received, error: err as Error };
  }
  return { received };
}

describe('holdLastChunk', () => {
  it('passes every byte through, with the checks seeing each chunk before the consumer does', async () => {
    const seen: string[] = [];
    let ended = false;
    const out = holdLastChunk(sourceOf(['ab', '', 'cd', 'ef']), { chunk: (d) => void seen.push(d.toString()), end: () => void (ended = true) });
    expect(await consume(out)).toEqual({ received: 'abcdef' });
    expect(seen).toEqual(['ab', 'cd', 'ef']); // the empty chunk is no chunk
    expect(ended).toBe(true);
  });

  it('a failing end check (sync or async) withholds the last chunk', async () => {
    for (const end of [() => { throw new Error('too short'); }, async () => { await null; throw new Error('bad checksum'); }]) {
      const result = await consume(holdLastChunk(sourceOf(['ab', 'cd', 'ef']), { chunk: () => {}, end }));
      expect(result.received).toBe('abcd');
      expect(result.error?.message).toMatch(/too short|bad checksum/);
    }
  });

  it('a failing chunk check fails the stream before that chunk is passed on', async () => {
    const result = await consume(holdLastChunk(sourceOf(['ab', 'cd', 'ef']), { chunk: (d) => { if (d.toString() === 'cd') throw new Error('too long'); }, end: () => {} }));
    expect(result.received).toBe('');
    expect(result.error?.message).toBe('too long');
  });

  it('a source that errors, or closes without ending, fails the result instead of leaving it waiting', async () => {
    const failed = await consume(holdLastChunk(sourceOf(['ab', 'cd'], new Error('disk gone')), { chunk: () => {}, end: () => {} }));
    expect(failed).toMatchObject({ received: 'ab', error: { message: 'disk gone' } });
    const closed = await consume(holdLastChunk(sourceOf(['ab', 'cd'], 'close'), { chunk: () => {}, end: () => {} }));
    expect(closed.received).toBe('ab');
    expect(closed.error).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('destroying the result destroys the source', async () => {
    const source = sourceOf(['ab', 'cd', 'ef']);
    const out = holdLastChunk(source, { chunk: () => {}, end: () => {} });
    out.destroy();
    await new Promise((resolve) => source.once('close', resolve));
    expect(source.destroyed).toBe(true);
  });
});
