import { describe, expect, it } from 'vitest';
import { listInBlocks } from '../../electron/lib/ordered-blocks';
import { compareKeys } from '../../electron/lib/key-order';

const keys = ['a', 'a b', 'a-b', 'a/', 'a/x', 'a/y/z', 'a0', 'b/1', 'b/2', 'b~', 'c/😀', 'c/\uFF5E', 'd'];

/** Splits a sorted key list the way a delimiter listing would: objects at the top, folders. */
function topLevel(all: string[]) {
  const objects = all.filter((k) => !k.includes('/')).map((key) => ({ key }));
  const prefixes = [...new Set(all.filter((k) => k.includes('/')).map((k) => k.slice(0, k.indexOf('/') + 1)))].sort(compareKeys);
  return { objects, prefixes };
}

describe('listInBlocks', () => {
  it('yields top-level objects and folder listings in global key order, listing folders concurrently', async () => {
    const sorted = [...keys].sort(compareKeys);
    let concurrent = 0;
    let maxConcurrent = 0;
    const listFolder = async function* (prefix: string) {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 5));
      for (const key of sorted.filter((k) => k.startsWith(prefix))) yield { key };
      concurrent--;
    };
    const out: string[] = [];
    for await (const item of listInBlocks(topLevel(sorted), listFolder, 3)) out.push(item.key);
    expect(out).toEqual(sorted);
    expect(maxConcurrent).toBeGreaterThan(1);
    expect(maxConcurrent).toBeLessThanOrEqual(3);
  });

  it('passes a folder listing error through and stops the other folders', async () => {
    const stopped: string[] = [];
    const listFolder = async function* (prefix: string) {
      try {
        if (prefix === 'b/') throw new Error('listing b/ failed');
        yield { key: `${prefix}1` };
        await new Promise((r) => setTimeout(r, 50));
        yield { key: `${prefix}2` };
      } finally {
        stopped.push(prefix);
      }
    };
    const drain = async () => {
      for await (const _ of listInBlocks({ objects: [], prefixes: ['a/', 'b/', 'c/'] }, listFolder, 3));
    };
    await expect(drain()).rejects.toThrow('listing b/ failed');
    expect(stopped.sort()).toEqual(['a/', 'b/', 'c/']);
  });
});
