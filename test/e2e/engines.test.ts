// Two engines in one window (issue 15 point 1): `serve` A serves the page to Debian's chromium, `serve`
// B runs as its own process with a self-signed certificate, each with its own database and folders.
// Through the UI only: B is added to A (the check shows the fingerprint B printed; it is pinned), a
// mapping is made on each, both run and are watched from the one window; B is killed (SIGKILL) while
// its bandwidth-limited run goes, and the window says it is offline with what it last reported; B is
// started again on the same port and database, and the window comes back to it by itself, with the
// interrupted run in its history and its next run succeeding.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from './support/app-server';
import { launchBrowser, type Browser } from './support/browser';
import { ensureRendererBuild } from './support/renderer-build';
import { startServeChild, type ServeChild } from './support/serve-child';
import { label, openView, screenshot, waitForText } from './support/ui';

const ENGINE_B = 'VM B';
const A_FOLDER = 'A folder';
const B_FOLDER = 'B folder';
const A_MAPPING = 'A backup';
const B_MAPPING = 'B upload';
/** 4 MiB at 256 KiB/s: a run of about sixteen seconds, so the kill lands mid-run even on a loaded machine. */
const B_FILES = 16;
const B_FILE_SIZE = 256 * 1024;
const B_LIMIT = '256K';
/** Reconnects back off up to 10 s (electron/remote/engine-link.ts), plus B's own start. */
const RECONNECT_TIMEOUT_MS = 60_000;
const RUN_TIMEOUT_MS = 60_000;

let scratch: string;
let a: AppServer;
let b: ServeChild | undefined;
let bArgs: string[];
const bToken = randomBytes(24).toString('hex');
let browser: Browser;
let page: Page;

function fill(root: string, bucket: string, files: Record<string, Buffer>): void {
  mkdirSync(path.join(root, bucket), { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(root, bucket, name), body);
}
const bFiles = Object.fromEntries(Array.from({ length: B_FILES }, (_, i) => [`part-${i}.bin`, randomBytes(B_FILE_SIZE)]));
const aFiles = { 'notes.txt': Buffer.from('engine A'), 'todo.txt': Buffer.from('copy me') };

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'cds-e2e-engines-'));
  fill(path.join(scratch, 'a-data'), 'src', aFiles);
  mkdirSync(path.join(scratch, 'a-data', 'dst'));
  fill(path.join(scratch, 'b-data'), 'src', bFiles);
  mkdirSync(path.join(scratch, 'b-data', 'dst'));
  mkdirSync(path.join(scratch, 'b-db'));
  bArgs = ['--db', path.join(scratch, 'b-db', 'data.db'), '--tls-self-signed', '--log-level', 'info'];

  const [build, launched, started] = await Promise.allSettled([ensureRendererBuild(), launchBrowser(), startServeChild(['--port', '0', ...bArgs], bToken)]);
  if (launched.status === 'fulfilled') browser = launched.value;
  if (started.status === 'fulfilled') b = started.value;
  for (const result of [build, launched, started]) if (result.status === 'rejected') throw result.reason;
  if (build.status !== 'fulfilled') throw new Error('unreachable');
  page = browser.page;
  a = await startAppServer(build.value);
  await page.goto(a.openUrl);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await a?.stop();
  if (b && b.child.exitCode === null && b.child.signalCode === null) {
    b.child.kill('SIGTERM');
    await Promise.race([b.exit, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    b.child.kill('SIGKILL');
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

const switcher = () => page.getByLabel('Engine', { exact: true });
const engineItem = (name: string) => page.getByRole('list', { name: 'Engines' }).getByRole('listitem', { name, exact: true });
const card = (name: string) => page.getByRole('article', { name, exact: true });

/** Shows the engine whose switcher option starts with `name`. */
async function showEngine(name: string): Promise<void> {
  const option = switcher().locator('option', { hasText: new RegExp(`^${name}`) });
  const value = await option.getAttribute('value');
  await switcher().selectOption(value ?? '');
  await page.locator('.engine-switcher').waitFor();
}

async function addLocalConnection(name: string, root: string): Promise<void> {
  await openView(page, 'Connections');
  await page.getByRole('button', { name: 'Add connection' }).click();
  const form = page.getByRole('form', { name: 'Add Local folder connection' });
  await form.getByLabel(label('Name')).fill(name);
  await form.getByLabel(label('Folder')).fill(root);
  await form.getByRole('button', { name: 'Save connection' }).click();
  await page.getByRole('listitem', { name, exact: true }).waitFor();
}

async function addMapping(name: string, connection: string, bwLimit?: string): Promise<void> {
  await openView(page, 'Mappings');
  await page.getByRole('button', { name: 'New mapping' }).click();
  const form = page.getByRole('form', { name: 'New mapping', exact: true });
  await form.getByLabel(label('Name')).fill(name);
  for (const side of ['Source', 'Target'] as const) {
    await form.getByLabel(label(`${side} connection`)).selectOption({ label: `${connection} (Local folder)` });
    const bucket = form.getByLabel(label(`${side} bucket`));
    const value = side === 'Source' ? 'src' : 'dst';
    await bucket.locator('option', { hasText: value }).first().waitFor({ state: 'attached' });
    await bucket.selectOption(value);
  }
  if (bwLimit !== undefined) await form.getByLabel(label('Bandwidth limit')).fill(bwLimit);
  await form.getByRole('button', { name: 'Save mapping' }).click();
  await card(name).waitFor();
}

/** The runs History lists for the shown engine's only mapping, newest first, as their status badges say. */
async function historyStatuses(): Promise<string[]> {
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody [data-status]');
  return rows.evaluateAll((badges) => badges.map((b) => b.getAttribute('data-status') ?? ''));
}

describe('two engines in one window', () => {
  it('adds engine B through the UI: the check shows the fingerprint B printed, and it is pinned', async () => {
    expect(b!.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await openView(page, 'Engines');
    await page.getByRole('button', { name: 'Add engine' }).click();
    const form = page.getByRole('form', { name: 'Add engine' });
    await form.getByLabel(label('Name')).fill(ENGINE_B);
    // As serve printed it: the token moves to its own field.
    await form.getByLabel(label('Address')).fill(b!.openUrl);
    await form.getByRole('button', { name: 'Check' }).click();
    expect(await form.getByLabel(label('Address')).inputValue()).toBe(b!.url);
    expect(await form.getByLabel(label('Token')).inputValue()).toBe(bToken);
    const shown = form.locator('.engine-fingerprint');
    await shown.waitFor();
    expect(await shown.getAttribute('data-fingerprint')).toBe(b!.fingerprint);
    await form.getByLabel('It is the fingerprint serve printed at start').check();
    await form.getByRole('button', { name: 'Pin and save' }).click();
    const item = engineItem(ENGINE_B);
    await item.waitFor();
    await page.locator(`[data-engine-id][data-state="online"]`, { hasText: ENGINE_B }).waitFor({ timeout: RECONNECT_TIMEOUT_MS });
    await waitForText(item, `Pinned: ${b!.fingerprint}`);
    expect(await switcher().locator('option').allInnerTexts()).toEqual(['This server', expect.stringMatching(/^VM B — Online/)]);
  });

  it('makes a mapping on A and one on B, each with its own folders, and shows each engine only its own', async () => {
    await addLocalConnection(A_FOLDER, path.join(scratch, 'a-data'));
    await addMapping(A_MAPPING, A_FOLDER);

    await showEngine(ENGINE_B);
    await openView(page, 'Mappings');
    await page.getByRole('heading', { name: 'Welcome to Cloud Data Sync' }).waitFor();
    await addLocalConnection(B_FOLDER, path.join(scratch, 'b-data'));
    expect(await page.getByRole('listitem', { name: A_FOLDER, exact: true }).count()).toBe(0);
    await addMapping(B_MAPPING, B_FOLDER, B_LIMIT);
    expect(await card(A_MAPPING).count()).toBe(0);

    await showEngine('This server');
    await card(A_MAPPING).waitFor();
    expect(await card(B_MAPPING).count()).toBe(0);
  });

  it('runs both and watches them from the one window: A to success, B under way', async () => {
    await openView(page, 'Activity');
    await page.getByRole('button', { name: `Sync now: ${A_MAPPING}`, exact: true }).click();
    await card(A_MAPPING).locator('[data-status="success"]').waitFor({ timeout: RUN_TIMEOUT_MS });
    await waitForText(card(A_MAPPING), '2 copied, 0 deleted, 0 failed');
    expect(readdirSync(path.join(scratch, 'a-data', 'dst')).sort()).toEqual(Object.keys(aFiles).sort());

    await showEngine(ENGINE_B);
    await openView(page, 'Activity');
    await page.getByRole('button', { name: `Sync now: ${B_MAPPING}`, exact: true }).click();
    // B's progress, relayed by A: the run goes at its limit.
    await waitForText(card(B_MAPPING).locator('.live-bandwidth'), 'Limited to 256 KiB/s', RUN_TIMEOUT_MS);
    await openView(page, 'History');
    await page.getByRole('table', { name: 'Runs' }).locator('[data-status="running"]').waitFor({ timeout: RUN_TIMEOUT_MS });
  });

  it('B killed mid-run: the window shows it offline with what it last reported', async () => {
    await openView(page, 'Activity');
    await waitForText(card(B_MAPPING).locator('.live-bandwidth'), 'Limited to 256 KiB/s', RUN_TIMEOUT_MS);
    b!.child.kill('SIGKILL');
    expect(await b!.exit).toBeNull();
    const banner = page.locator('.engine-banner');
    await waitForText(banner, /^VM B is offline since \d{1,2}:\d{2}( [AP]M)? — showing what it last reported; reconnecting…/, RECONNECT_TIMEOUT_MS);
    const lastKnown = page.getByRole('table', { name: `Mappings of ${ENGINE_B} as last reported` });
    await waitForText(lastKnown, B_MAPPING);
    expect(await lastKnown.locator('[data-state]').first().getAttribute('data-state')).toBe('running');
    expect(await switcher().locator('option').nth(1).innerText()).toMatch(/^VM B — Offline/);
    expect(await page.getByRole('button', { name: 'Sync all now' }).isDisabled()).toBe(true);
    // What B said before it went is not presented as going on now.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByLabel(/running$/).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Pause and stop running syncs' }).count()).toBe(0);
    // The copy stopped part-way: B's target holds fewer than all of its files.
    expect(readdirSync(path.join(scratch, 'b-data', 'dst')).filter((f) => f.startsWith('part-')).length).toBeLessThan(B_FILES);
    await screenshot(page, 'engines');
  });

  it('B started again on the same port and database: the window is back on it by itself, with the interrupted run, and the next run succeeds', async () => {
    b = await startServeChild(['--port', String(b!.port), ...bArgs], bToken);
    await page.locator('.engine-switcher[data-engine-state="online"]').waitFor({ timeout: RECONNECT_TIMEOUT_MS });
    await page.getByRole('heading', { level: 1, name: 'Activity' }).waitFor();
    await card(B_MAPPING).waitFor();

    await openView(page, 'History');
    await page.getByRole('table', { name: 'Runs' }).locator('[data-status="interrupted"]').waitFor({ timeout: RUN_TIMEOUT_MS });
    expect(await historyStatuses()).toEqual(['interrupted']);

    await openView(page, 'Activity');
    await page.getByRole('button', { name: `Sync now: ${B_MAPPING}`, exact: true }).click();
    await card(B_MAPPING).locator('[data-status="success"]').waitFor({ timeout: RUN_TIMEOUT_MS });
    await openView(page, 'History');
    const statuses = page.getByRole('table', { name: 'Runs' }).locator('tbody [data-status]');
    await statuses.nth(1).waitFor({ timeout: RUN_TIMEOUT_MS });
    expect(await historyStatuses()).toEqual(['success', 'interrupted']);
    for (const [name, body] of Object.entries(bFiles)) expect(readFileSync(path.join(scratch, 'b-data', 'dst', name)).equals(body), name).toBe(true);
  });

  it('logged no page errors', () => {
    expect(browser.problems).toEqual([]);
  });
});
