// Staged block uploads (electron/providers/azure-blocks.ts) against Azurite, seen from a proxy that
// holds Put Block requests at a gate: how many the provider has in flight at once is then a state
// the test waits for, not a timing.
import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureProvider } from '../../electron/providers/azure';
import { isAbortError } from '../../electron/providers/errors';
import { azureSettingsFor, startAzurite, type AzuriteServer } from '../support/azurite';
import { rejection } from './helpers';

const MiB = 1024 * 1024;
/** Bound on every wait for the gate (a failing provider must fail the test, not hang it). */
const WAIT_MS = 20_000;

let server: AzuriteServer;
let gate: BlockGate;
beforeAll(async () => {
  server = await startAzurite();
  gate = await startBlockGate(server.port);
});
afterAll(async () => {
  await gate?.close();
  await server?.stop();
});

/**
 * Forwards everything to Azurite; Put Block requests (PUT ?comp=block) are held until release().
 * Counts them: held now, the most held at once, and those whose client went away while held.
 */
interface BlockGate {
  url: string;
  readonly held: number;
  readonly maxHeld: number;
  readonly abandoned: number;
  /** Resolves once `state()` holds, checked at every change of the gate (rejects after WAIT_MS). */
  until(state: () => boolean, what: string): Promise<void>;
  /** Lets the held requests and every later one through (`hold` false), or starts holding again. */
  release(hold?: boolean): void;
  reset(): void;
  close(): Promise<void>;
}

async function startBlockGate(upstreamPort: number): Promise<BlockGate> {
  let holding = true;
  let held: Array<() => void> = [];
  let maxHeld = 0;
  let abandoned = 0;
  const waiters: Array<{ state: () => boolean; resolve: () => void }> = [];
  const changed = (): void => {
    for (const w of waiters.filter((w) => w.state())) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer): void => {
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    if (body) upstream.end(body);
    else req.pipe(upstream);
  };
  const proxy = http.createServer((req, res) => {
    const isBlock = req.method === 'PUT' && new URL(req.url ?? '/', 'http://x').searchParams.get('comp') === 'block';
    if (!isBlock || !holding) return forward(req, res);
    // Read while held (a request that is not read never sees its client go away); sent on once let through.
    const chunks: Buffer[] = [];
    let received = false;
    let letThrough = false;
    let done = false;
    const send = (): void => {
      if (!done && received && letThrough) {
        done = true;
        forward(req, res, Buffer.concat(chunks));
      }
    };
    const go = (): void => {
      held = held.filter((g) => g !== go);
      letThrough = true;
      send();
    };
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      received = true;
      send();
    });
    held.push(go);
    maxHeld = Math.max(maxHeld, held.length);
    req.socket.once('close', () => {
      if (done) return;
      done = true;
      held = held.filter((g) => g !== go);
      abandoned++;
      changed();
    });
    changed();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return held.length;
    },
    get maxHeld() {
      return maxHeld;
    },
    get abandoned() {
      return abandoned;
    },
    until(state, what) {
      if (state()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = { state, resolve: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`gave up waiting for ${what}: ${held.length} Put Block requests held (most at once ${maxHeld}), ${abandoned} abandoned`));
        }, WAIT_MS);
        waiters.push(waiter);
      });
    },
    release(hold = false) {
      holding = hold;
      for (const go of [...held]) go();
    },
    reset() {
      holding = true;
      maxHeld = 0;
      abandoned = 0;
    },
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

function viaGate(options: { blockSize: number; concurrency: number }) {
  return createAzureProvider({ ...azureSettingsFor(server), endpointUrl: `${gate.url}/${server.accountName}` }, { multipartThreshold: 1, ...options });
}

function direct(): BlobServiceClient {
  return new BlobServiceClient(server.endpointUrl, new StorageSharedKeyCredential(server.accountName, server.accountKey));
}

/** A source that yields `data` in 64 KiB chunks, as a socket would. */
function chunked(data: Buffer): () => Promise<Readable> {
  return async () => Readable.from((function* () {
    for (let i = 0; i < data.length; i += 64 * 1024) yield data.subarray(i, i + 64 * 1024);
  })());
}

describe('azure staged blocks', () => {
  const bucket = 'azure-blocks';
  beforeAll(async () => {
    await direct().getContainerClient(bucket).createIfNotExists();
  });

  it('stages `concurrency` blocks at once and never more, then commits them in order with the MD5', async () => {
    gate.reset();
    const provider = viaGate({ blockSize: MiB, concurrency: 4 });
    const data = randomBytes(7 * MiB + 123);
    const md5 = createHash('md5').update(data).digest('hex');
    const write = provider.write(bucket, 'parallel.bin', chunked(data), data.length, { md5 });
    write.catch(() => undefined); // awaited below; a gate failure must not leave it unhandled
    try {
      // Four blocks reach the service before any of them is answered: they were sent in parallel.
      await gate.until(() => gate.held >= 4, '4 Put Blocks held at once');
      expect(gate.maxHeld).toBe(4);
    } finally {
      gate.release();
    }
    const written = await write;
    expect(gate.maxHeld).toBe(4); // the source was not read on while all four were out
    expect(written).toMatchObject({ md5, size: data.length });
    const blob = direct().getContainerClient(bucket).getBlockBlobClient('parallel.bin');
    const blocks = (await blob.getBlockList('committed')).committedBlocks ?? [];
    expect(blocks.map((b) => b.size)).toEqual([MiB, MiB, MiB, MiB, MiB, MiB, MiB, 123]);
    const stored = await blob.downloadToBuffer();
    expect(stored.equals(data)).toBe(true);
    expect(Buffer.from((await blob.getProperties()).contentMD5!).toString('hex')).toBe(md5);
    await provider.close();
  });

  it('keeps the previous blob when the source has another MD5: staged blocks are never committed', async () => {
    gate.reset();
    gate.release(false);
    const provider = viaGate({ blockSize: MiB, concurrency: 2 });
    const container = direct().getContainerClient(bucket);
    await container.getBlockBlobClient('kept.bin').upload('previous', 8);
    const data = randomBytes(3 * MiB);
    const err = await rejection(provider.write(bucket, 'kept.bin', chunked(data), data.length, { md5: '0'.repeat(32) }));
    expect(String(err)).toMatch(/have MD5 [0-9a-f]{32}, expected 0{32}/);
    expect((await container.getBlockBlobClient('kept.bin').downloadToBuffer()).toString()).toBe('previous');
    await provider.close();
  });

  it('an abort while Put Blocks go unanswered ends the write at once, with those requests', async () => {
    gate.reset();
    const provider = viaGate({ blockSize: MiB, concurrency: 2 });
    const data = randomBytes(4 * MiB);
    const abort = new AbortController();
    const write = provider.write(bucket, 'aborted.bin', chunked(data), data.length, { signal: abort.signal });
    write.catch(() => undefined);
    try {
      await gate.until(() => gate.held >= 2, '2 Put Blocks held at once');
      abort.abort();
      const err = await rejection(write);
      expect(isAbortError(err), String(err)).toBe(true);
      // The requests were given up by the client, not left waiting at the gate for an answer.
      await gate.until(() => gate.abandoned === 2, 'both held Put Blocks abandoned by the client');
      expect(gate.held).toBe(0);
    } finally {
      gate.release();
    }
    expect(await direct().getContainerClient(bucket).getBlobClient('aborted.bin').exists()).toBe(false);
    await provider.close();
  });
});
