// The whole app in a real browser: Debian's chromium (playwright-core) against `cloud-data-sync
// serve` with a local folder and an S3 server (s3rver) on 127.0.0.1. One user's session, step by
// step: each test continues where the previous one stopped. Run by app.test.ts at 1280×800, where
// screenshots of every screen with this data land in docs/screenshots/, and by app-800x600.test.ts
// in the smallest window the app supports.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMinioProvider } from '../../electron/providers/minio';
import type { StorageProvider } from '../../electron/providers/provider';
import { bytes, contentMap, listAll, putText } from '../support/objects';
import { minioSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { startAppServer, type AppServer } from './support/app-server';
import { launchBrowser, type Browser } from './support/browser';
import { ensureRendererBuild } from './support/renderer-build';
import { inlineSelect, label, openView, screenshot as saveScreenshot, waitForText } from './support/ui';

/** The source folder's "photos" bucket: what the first mapping copies. */
const PHOTOS: Record<string, Buffer> = {
  '2024/beach.jpg': bytes(1, 184_000),
  '2024/mountains.jpg': bytes(2, 243_000),
  '2025/city-lights.jpg': bytes(3, 321_000),
  '2025/forest.jpg': bytes(4, 152_000),
  'albums.json': Buffer.from(JSON.stringify({ albums: ['2024', '2025'] }, null, 2)),
};
/** The "videos" bucket: large files a run copies one at a time, long enough to be cancelled. */
const VIDEO_SIZE = 300 * 1024 * 1024;
const VIDEOS = Array.from({ length: 8 }, (_, i) => `footage/day-${i + 1}.mov`);
/** In the video target before the first run: a mirror run would delete it, so that run asks first. */
const OBSOLETE = 'old/obsolete.mov';

const LOCAL = 'Local files';
const S3 = 'Archive S3';
const PHOTOS_MAPPING = 'Photos backup';
const VIDEO_MAPPING = 'Video archive';
const FILTERED_MAPPING = 'Photos without 2025';
/** What the filtered mapping copies: 2025/ is excluded by a glob, mountains.jpg (243 kB) by maxSize 200K. */
const FILTERED_KEPT = ['2024/beach.jpg', 'albums.json'];
/** The preview's lines for them: city-lights.jpg is over the size too, but the glob is the first rule that excludes it. */
const FILTERED_EXCLUSIONS = { exclude: '2 by exclude "2025/**"', maxSize: '1 by maxSize 200 KiB' };
/** A mapping of the photos with a bandwidth limit, and the limit. */
const LIMITED_MAPPING = 'Photos, limited';
const LIMIT = '256K';

export interface FlowOptions {
  viewport: { width: number; height: number };
  /** Save docs/screenshots/ (the README's): only from the window size they are taken at. */
  screenshots: boolean;
}

/** Registers the whole session as one describe block, in a browser window of `viewport`. */
export function mainFlow({ viewport, screenshots }: FlowOptions): void {
  const screenshot = (on: Page, name: string): Promise<void> => (screenshots ? saveScreenshot(on, name) : Promise.resolve());

  let scratch: string;
  let localRoot: string;
  let s3: S3TestServer;
  let s3Provider: StorageProvider;
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  /** The first real run of the photos mapping, as History shows it. */
  let photosRunId: string;
  /** How many videos the cancelled run copied, as History shows it. */
  let videosCopied: number;

  const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'cds-e2e-'));
    localRoot = path.join(scratch, 'buckets');
    for (const [key, body] of Object.entries(PHOTOS)) {
      mkdirSync(path.dirname(path.join(localRoot, 'photos', key)), { recursive: true });
      writeFileSync(path.join(localRoot, 'photos', key), body);
    }
    for (const key of VIDEOS) {
      const file = path.join(localRoot, 'videos', key);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '');
      // Sparse: instant to make, takes no disk space, reads as zeros at full speed.
      truncateSync(file, VIDEO_SIZE);
    }

    // The renderer build, s3rver and the browser start side by side; the app server needs the build.
    const [build, s3server, launched] = await Promise.allSettled([ensureRendererBuild(), startS3Server(), launchBrowser()]);
    if (s3server.status === 'fulfilled') s3 = s3server.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (build.status === 'rejected') throw build.reason;
    if (s3server.status === 'rejected') throw s3server.reason;
    page = browser.page;
    s3Provider = createMinioProvider(minioSettingsFor(s3));
    await s3Provider.createBucket('archive');
    await s3Provider.createBucket('video-archive');
    await putText(s3Provider, 'video-archive', OBSOLETE, 'an old upload');
    server = await startAppServer(build.value);
    await page.setViewportSize(viewport);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await s3Provider?.close();
    await s3?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  const connectionForm = () => page.getByRole('form', { name: /^Add .* connection$/ });
  const editor = () => page.getByRole('form', { name: 'New mapping', exact: true });
  const card = (name: string) => page.getByRole('article', { name, exact: true });

  /** Opens the editor on a new mapping from the local "photos" bucket to the S3 "archive" bucket under `targetPrefix`. */
  async function newPhotosToArchive(name: string, targetPrefix: string) {
    await openView(page, 'Mappings');
    await page.getByRole('button', { name: 'New mapping' }).click();
    const form = editor();
    await form.getByRole('heading', { name: 'New mapping' }).waitFor();
    await form.getByLabel(label('Name')).fill(name);
    await form.getByLabel(label('Source connection')).selectOption({ label: `${LOCAL} (Local folder)` });
    await form.getByLabel(label('Source bucket')).locator('option', { hasText: 'photos' }).waitFor({ state: 'attached' });
    await form.getByLabel(label('Source bucket')).selectOption('photos');
    await form.getByLabel(label('Target connection')).selectOption({ label: `${S3} (MinIO / S3-compatible)` });
    await form.getByLabel(label('Target bucket')).locator('option', { hasText: 'archive' }).first().waitFor({ state: 'attached' });
    await form.getByLabel(label('Target bucket')).selectOption('archive');
    await form.getByLabel(label('Target prefix')).fill(targetPrefix);
    return form;
  }

  describe(`Cloud Data Sync in the browser at ${viewport.width}×${viewport.height}`, () => {
    it('opens with the token, drops it from the address, and shows the first-run guide', async () => {
      await page.goto(server.openUrl);
      await page.getByRole('heading', { name: 'Welcome to Cloud Data Sync' }).waitFor();
      expect(page.url()).toBe(server.url);
      for (const provider of ['Local folder', 'Amazon S3', 'MinIO / S3-compatible', 'Google Cloud Storage', 'Azure Blob Storage']) {
        await page.getByRole('button', { name: provider, exact: true }).waitFor();
      }
      await screenshot(page, 'first-run');
    });

    it('adds a local folder connection', async () => {
      await page.getByRole('button', { name: 'Local folder', exact: true }).click();
      const form = connectionForm();
      await form.getByRole('heading', { name: 'Add Local folder connection' }).waitFor();

      // A relative path is refused next to its field before anything is sent.
      await form.getByLabel(label('Name')).fill(LOCAL);
      await form.getByLabel(label('Folder')).fill('buckets');
      await form.getByRole('button', { name: 'Save connection' }).click();
      const folder = form.getByLabel(label('Folder'));
      await waitForText(form.getByRole('alert'), 'Folder must be an absolute path');
      expect(await folder.getAttribute('aria-invalid')).toBe('true');

      await folder.fill(localRoot);
      await form.getByRole('button', { name: 'Save connection' }).click();
      await page.getByRole('listitem', { name: LOCAL, exact: true }).waitFor();
      await waitForText(page.getByRole('listitem', { name: LOCAL, exact: true }), localRoot);
    });

    it('adds an S3-compatible connection: wrong credentials fail the test clearly, the right ones pass every check', async () => {
      await page.getByRole('button', { name: 'Add connection' }).click();
      const form = connectionForm();
      await form.getByLabel(label('Type')).selectOption({ label: 'MinIO / S3-compatible' });
      await form.getByRole('heading', { name: 'Add MinIO / S3-compatible connection' }).waitFor();
      await form.getByLabel(label('Name')).fill(S3);
      await form.getByLabel(label('Server')).fill(`127.0.0.1:${s3.port}`);
      await form.getByLabel(label('Access key')).fill('WRONG-ACCESS-KEY');
      await form.getByLabel(label('Secret key')).fill(s3.secretAccessKey);
      await form.getByLabel(label('Bucket for the read and write checks')).fill('archive');

      const checks = form.getByRole('list', { name: 'Connection checks' });
      await form.getByRole('button', { name: 'Test connection' }).click();
      await checks.locator('[data-check="auth"][data-outcome="failed"]').waitFor({ timeout: 30_000 });
      await form.getByText('Connection test failed').waitFor();
      const auth = await checks.locator('[data-check="auth"]').innerText();
      expect(auth).toMatch(/Sign in\s+Failed\s+credentials rejected/);
      expect(auth).toMatch(/Access Key/i);
      await checks.evaluate((list) => list.scrollIntoView({ block: 'end' }));
      await screenshot(page, 'connection-test-failed');

      await form.getByLabel(label('Access key')).fill(s3.accessKeyId);
      await form.getByRole('button', { name: 'Test connection' }).click();
      await form.getByText('Connection works').waitFor({ timeout: 30_000 });
      for (const check of ['auth', 'listBuckets', 'read', 'write']) {
        expect(await checks.locator(`[data-check="${check}"]`).getAttribute('data-outcome'), check).toBe('ok');
      }
      await waitForText(checks.locator('[data-check="listBuckets"]'), /2 bucket\(s\) visible: archive, video-archive/);
      await checks.evaluate((list) => list.scrollIntoView({ block: 'end' }));
      await screenshot(page, 'connection-form');

      await form.getByRole('button', { name: 'Save connection' }).click();
      await page.getByRole('listitem', { name: S3, exact: true }).waitFor();
      // The saved connections tested from the list.
      for (const name of [LOCAL, S3]) {
        await page.getByRole('button', { name: `Test ${name}`, exact: true }).click();
        await waitForText(page.getByRole('listitem', { name, exact: true }), /Works · /, 30_000);
      }
      await screenshot(page, 'connections');
    });

    it('draws a mapping with the bucket pickers and previews the planned copies', async () => {
      await openView(page, 'Mappings');
      await page.getByRole('button', { name: 'Draw your first mapping' }).click();
      const form = editor();
      await form.getByRole('heading', { name: 'New mapping' }).waitFor();
      await form.getByLabel(label('Name')).fill(PHOTOS_MAPPING);

      await form.getByLabel(label('Source connection')).selectOption({ label: `${LOCAL} (Local folder)` });
      const sourceBucket = form.getByLabel(label('Source bucket'));
      await sourceBucket.locator('option', { hasText: 'photos' }).waitFor({ state: 'attached' });
      expect(await sourceBucket.locator('option').allInnerTexts()).toEqual(['Choose a bucket', 'photos', 'videos', 'Another name…']);
      await sourceBucket.selectOption('photos');

      await form.getByLabel(label('Target connection')).selectOption({ label: `${S3} (MinIO / S3-compatible)` });
      const targetBucket = form.getByLabel(label('Target bucket'));
      await targetBucket.locator('option', { hasText: 'video-archive' }).waitFor({ state: 'attached' });
      await targetBucket.selectOption('archive');
      await form.getByLabel(label('Target prefix')).fill('photos/');

      await form.getByRole('button', { name: 'Preview' }).click();
      const preview = form.getByRole('region', { name: 'Preview' });
      await waitForText(preview.locator('[data-count="copies"] dd'), /^5 \(/, 30_000);
      expect(await preview.locator('[data-count="deletes"] dd').innerText()).toBe('0');
      const firstCopies = await preview.getByRole('region', { name: 'First copies' }).locator('code').allInnerTexts();
      expect(firstCopies.sort()).toEqual(Object.keys(PHOTOS).sort());
      await form.getByRole('heading', { name: 'New mapping' }).scrollIntoViewIfNeeded();
      await screenshot(page, 'mapping-editor');
      await preview.scrollIntoViewIfNeeded();
      await screenshot(page, 'preview');

      await form.getByRole('button', { name: 'Save mapping' }).click();
      await card(PHOTOS_MAPPING).waitFor();
      await waitForText(card(PHOTOS_MAPPING), 'Never run');
      expect(await card(PHOTOS_MAPPING).getByRole('group', { name: /^From: / }).getAttribute('aria-label')).toBe(`From: ${LOCAL} → photos`);
      expect(await card(PHOTOS_MAPPING).getByRole('group', { name: /^To: / }).getAttribute('aria-label')).toBe(`To: ${S3} → archive → photos/`);
    });

    it('syncs now: Activity reports success, History shows the run with every file copied', async () => {
      await page.getByRole('button', { name: `Sync now: ${PHOTOS_MAPPING}`, exact: true }).click();
      await openView(page, 'Activity');
      const activity = card(PHOTOS_MAPPING);
      await activity.locator('[data-status="success"]').waitFor({ timeout: 60_000 });
      await waitForText(activity, `Last run Success`);
      await waitForText(activity, '5 copied, 0 deleted, 0 failed');

      await openView(page, 'Mappings');
      await waitForText(card(PHOTOS_MAPPING), 'Last run Success');
      await card(PHOTOS_MAPPING).getByRole('button', { name: `History of ${PHOTOS_MAPPING}`, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
      const runs = page.getByRole('table', { name: 'Runs' });
      // The check before a first sync previewed the saved mapping, which history keeps as a dry run.
      const row = runs.getByRole('row').filter({ has: page.locator('[data-status="success"]'), hasNotText: 'dry run' });
      await row.waitFor();
      const cells = await row.getByRole('cell').allInnerTexts();
      // Run, Status, Started, Duration, Copied, Skipped, Deleted, Failed, Bytes
      expect(cells[1]).toBe('Success');
      expect(cells.slice(4, 8)).toEqual(['5', '0', '0', '0']);
      const runId = (photosRunId = (await row.getAttribute('data-run-id'))!);

      await page.getByRole('button', { name: `Run ${runId} details`, exact: true }).click();
      const detail = page.getByRole('region', { name: `Run ${runId}`, exact: true });
      await waitForText(detail, /Copied\s+5 \(/);
      await waitForText(detail.getByRole('list', { name: `Log lines of run ${runId}` }), 'Copied 2024/beach.jpg');
      await screenshot(page, 'history');
    });

    it('shows the mapping log and filters it by text and level', async () => {
      await openView(page, 'Mappings');
      await page.getByRole('button', { name: `Logs of ${PHOTOS_MAPPING}`, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
      const lines = page.getByRole('list', { name: 'Log lines', exact: true }).getByRole('listitem');
      await waitForText(lines, /Run started: /);
      await waitForText(lines, /Run success: copied 5 /);
      for (const key of Object.keys(PHOTOS)) await waitForText(lines, `Copied ${key}`);
      await screenshot(page, 'logs');

      // The run filter: only the real run, not the dry run the first-sync check made.
      await inlineSelect(page, 'Run').selectOption(photosRunId);
      await page.getByText(`${Object.keys(PHOTOS).length + 2} lines`, { exact: true }).waitFor();
      expect((await lines.allInnerTexts()).some((line) => line.includes('Dry run'))).toBe(false);

      const search = page.getByRole('searchbox', { name: 'Search' });
      await search.fill('mountains');
      await page.getByText(/^1 lines?$/).waitFor();
      expect(await lines.allInnerTexts()).toEqual([expect.stringContaining('Copied 2024/mountains.jpg')]);

      await inlineSelect(page, 'Level').selectOption({ label: 'Errors only' });
      await page.getByText('No line matches these filters.').waitFor();
      await search.fill('');
      await inlineSelect(page, 'Level').selectOption({ label: 'Info and above' });
      await waitForText(lines, /Run success: copied 5 /);
      expect(await lines.count()).toBe(Object.keys(PHOTOS).length + 2);
    });

    it('cancels a long run from the UI; History records it as cancelled and nothing was deleted', async () => {
      await openView(page, 'Mappings');
      await page.getByRole('button', { name: 'New mapping' }).click();
      const form = editor();
      await form.getByRole('heading', { name: 'New mapping' }).waitFor();
      await form.getByLabel(label('Name')).fill(VIDEO_MAPPING);
      await form.getByLabel(label('Source connection')).selectOption({ label: `${LOCAL} (Local folder)` });
      await form.getByLabel(label('Source bucket')).locator('option', { hasText: 'videos' }).waitFor({ state: 'attached' });
      await form.getByLabel(label('Source bucket')).selectOption('videos');
      // The prefix chosen in the object browser.
      await form.getByRole('button', { name: 'Browse source bucket', exact: true }).click();
      const objects = form.getByRole('region', { name: 'Source objects in videos' });
      await objects.getByRole('button', { name: 'Open folder footage/' }).click();
      await waitForText(objects.getByRole('list', { name: 'Folders and objects' }), 'day-3.mov');
      await objects.getByRole('button', { name: 'Use this prefix' }).click();
      expect(await form.getByLabel(label('Source prefix')).inputValue()).toBe('footage/');

      await form.getByLabel(label('Target connection')).selectOption({ label: `${S3} (MinIO / S3-compatible)` });
      await form.getByLabel(label('Target bucket')).locator('option', { hasText: 'video-archive' }).waitFor({ state: 'attached' });
      await form.getByLabel(label('Target bucket')).selectOption('video-archive');
      await form.getByRole('radio', { name: /Mirror the source/ }).check();
      await form.getByLabel(label('Parallel transfers')).fill('1');
      await form.getByRole('heading', { name: 'New mapping' }).scrollIntoViewIfNeeded();
      await screenshot(page, 'mappings-editor-open');
      await form.getByRole('button', { name: 'Save mapping' }).click();
      await card(VIDEO_MAPPING).waitFor();

      // A first run that would delete asks first, naming what it would delete.
      await page.getByRole('button', { name: `Sync now: ${VIDEO_MAPPING}`, exact: true }).click();
      const confirm = page.getByRole('alertdialog');
      await waitForText(confirm, 'The first run would delete 1 object');
      await waitForText(confirm, OBSOLETE);
      await confirm.getByRole('button', { name: 'Sync and delete' }).click();
      await confirm.waitFor({ state: 'detached' });

      await openView(page, 'Activity');
      const activity = card(VIDEO_MAPPING);
      const bytesBar = activity.getByRole('progressbar', { name: `Bytes of ${VIDEO_MAPPING}` });
      await bytesBar.waitFor({ timeout: 30_000 });
      await waitForText(activity.getByRole('list', { name: `Transfers in flight for ${VIDEO_MAPPING}` }), /^day-\d\.mov/);
      // Moving: wait for the first file to arrive and a few seconds of the throughput chart, with
      // most of the 2.5 GB still to go when Cancel is pressed.
      const objectsBar = activity.getByRole('progressbar', { name: `Objects of ${VIDEO_MAPPING}` });
      const objectsDone = async () => Number(/^(\d+) of /.exec((await objectsBar.getAttribute('aria-valuetext')) ?? '')?.[1] ?? 0);
      const movingSince = Date.now();
      const deadline = movingSince + 90_000;
      while ((await objectsDone()) < 1 || Date.now() - movingSince < 3_000) {
        if (Date.now() > deadline) throw new Error(`the run did not progress: ${await objectsBar.getAttribute('aria-valuetext')}, ${await bytesBar.getAttribute('aria-valuetext')}`);
        await page.waitForTimeout(100);
      }
      expect(await objectsBar.getAttribute('aria-valuetext')).toMatch(/^[1-7] of [2-8] objects$/);
      expect(Number(await bytesBar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
      await screenshot(page, 'activity');

      await activity.getByRole('button', { name: `Cancel ${VIDEO_MAPPING}`, exact: true }).click();
      await activity.locator('[data-status="cancelled"]').waitFor({ timeout: 30_000 });

      await openView(page, 'History');
      await inlineSelect(page, 'Mapping').selectOption({ label: VIDEO_MAPPING });
      const row = page.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ has: page.locator('[data-status="cancelled"]') });
      await row.waitFor();
      const cells = await row.getByRole('cell').allInnerTexts();
      expect(cells[1]).toBe('Cancelled');
      videosCopied = Number(cells[4]);
      expect(videosCopied).toBeGreaterThanOrEqual(1);
      expect(videosCopied).toBeLessThan(VIDEOS.length);
      expect(cells[6]).toBe('0');

      await openView(page, 'Logs');
      await inlineSelect(page, 'Level').selectOption({ label: 'Warnings and errors' });
      const lines = page.getByRole('list', { name: 'Log lines', exact: true }).getByRole('listitem');
      // One state, waited for as a whole: the filtered list (the unfiltered one has the cancel line too,
      // so seeing it alone says nothing about the filter having applied).
      const filtered = async () => {
        const texts = await lines.allInnerTexts();
        return texts.some((line) => line.includes('Run cancelled; objects not yet copied will be copied by the next run')) && !texts.some((line) => line.includes('Run started'));
      };
      await expect.poll(filtered, { timeout: 15_000, interval: 100 }).toBe(true);
    });

    it('shows the settings and the board in the dark theme', async () => {
      await openView(page, 'Settings');
      const transfers = page.getByLabel(label('Parallel transfers across all mappings'));
      await transfers.fill('12');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await waitForText(page.getByRole('region', { name: 'Messages' }), 'Settings saved.');
      expect(await transfers.inputValue()).toBe('12');
      await screenshot(page, 'settings');

      await openView(page, 'Mappings');
      await waitForText(card(VIDEO_MAPPING), 'Last run Cancelled');
      await screenshot(page, 'mappings');
      await page.emulateMedia({ colorScheme: 'dark' });
      try {
        await screenshot(page, 'mappings-dark');
      } finally {
        await page.emulateMedia({ colorScheme: 'light' });
      }
    });

    it('put every photo in the target bucket; the cancelled run left only whole videos and deleted nothing', async () => {
      const expected = Object.fromEntries(Object.entries(PHOTOS).map(([key, body]) => [key, md5(body)]));
      expect(await contentMap(s3Provider, 'archive', 'photos/')).toEqual(expected);
      expect((await listAll(s3Provider, 'archive')).map((o) => o.key).sort()).toEqual(Object.keys(PHOTOS).map((k) => `photos/${k}`).sort());
      // The cancelled run: the videos it reported as copied are there whole, nothing half-written, and
      // the mirror delete never ran.
      const videos = await listAll(s3Provider, 'video-archive');
      expect(videos.map((o) => o.key)).toContain(OBSOLETE);
      const copied = videos.filter((o) => o.key !== OBSOLETE);
      expect(copied).toHaveLength(videosCopied);
      for (const video of copied) {
        expect(VIDEOS).toContain(`footage/${video.key}`);
        expect(video.size).toBe(VIDEO_SIZE);
      }
    });

    it('filters a mapping in the editor: preview counts what each filter keeps out, the run copies only the rest', async () => {
      const form = await newPhotosToArchive(FILTERED_MAPPING, 'filtered/');

      // An invalid size is refused at its field, before anything is sent.
      const exclude = form.getByLabel(label('Exclude globs'));
      const maxSize = form.getByLabel(label('Max size'));
      await exclude.fill('2025/**');
      await maxSize.fill('200 parsecs');
      await form.getByRole('button', { name: 'Preview' }).click();
      await waitForText(form.getByRole('alert'), /^Max size must be a whole number of bytes, or a size such as "10M"/);
      expect(await maxSize.getAttribute('aria-invalid')).toBe('true');
      await maxSize.fill('200K');

      await form.getByRole('button', { name: 'Preview' }).click();
      const preview = form.getByRole('region', { name: 'Preview' });
      await waitForText(preview.locator('[data-count="copies"] dd'), /^2 \(/, 30_000);
      const excluded = preview.getByRole('region', { name: 'Excluded by filters' });
      await waitForText(excluded, FILTERED_EXCLUSIONS.exclude);
      await waitForText(excluded, FILTERED_EXCLUSIONS.maxSize);
      const firstCopies = await preview.getByRole('region', { name: 'First copies' }).locator('code').allInnerTexts();
      expect(firstCopies.sort()).toEqual(FILTERED_KEPT);

      await form.getByRole('button', { name: 'Save mapping' }).click();
      await card(FILTERED_MAPPING).waitFor();
      await waitForText(card(FILTERED_MAPPING), 'Filters: 1 exclude, maxSize 200K');

      await page.getByRole('button', { name: `Sync now: ${FILTERED_MAPPING}`, exact: true }).click();
      await openView(page, 'Activity');
      const activity = card(FILTERED_MAPPING);
      await activity.locator('[data-status="success"]').waitFor({ timeout: 60_000 });
      await waitForText(activity, '2 copied, 0 deleted, 0 failed');
      const expected = Object.fromEntries(FILTERED_KEPT.map((key) => [key, md5(PHOTOS[key]!)]));
      expect(await contentMap(s3Provider, 'archive', 'filtered/')).toEqual(expected);
    });

    it('limits a mapping\'s bandwidth in the editor: an invalid limit is refused at the field, the preview and the card say the limit, Activity shows it while the run goes', async () => {
      const form = await newPhotosToArchive(LIMITED_MAPPING, 'limited/');

      const bwLimit = form.getByLabel(label('Bandwidth limit'));
      await bwLimit.fill('fast please');
      await form.getByRole('button', { name: 'Preview' }).click();
      await waitForText(form.getByRole('alert'), /^Bandwidth limit must be a rate such as "512K"/);
      expect(await bwLimit.getAttribute('aria-invalid')).toBe('true');
      await bwLimit.fill(LIMIT);

      await form.getByRole('button', { name: 'Preview' }).click();
      const preview = form.getByRole('region', { name: 'Preview' });
      await waitForText(preview, `Bandwidth limit: 256 KiB/s (this mapping's bwLimit "${LIMIT}")`, 30_000);

      await form.getByRole('button', { name: 'Save mapping' }).click();
      await card(LIMITED_MAPPING).waitFor();
      await waitForText(card(LIMITED_MAPPING), 'Limited to 256 KiB/s');

      // About 900 kB at 256 KiB/s: a run of three seconds or more, so Activity shows it under way.
      await page.getByRole('button', { name: `Sync now: ${LIMITED_MAPPING}`, exact: true }).click();
      await openView(page, 'Activity');
      const activity = card(LIMITED_MAPPING);
      await waitForText(activity.locator('.live-bandwidth'), 'Limited to 256 KiB/s', 30_000);
      await activity.locator('[data-status="success"]').waitFor({ timeout: 60_000 });
      const expected = Object.fromEntries(Object.entries(PHOTOS).map(([key, body]) => [key, md5(body)]));
      expect(await contentMap(s3Provider, 'archive', 'limited/')).toEqual(expected);
    });

    it('logged no page errors', () => {
      expect(browser.problems).toEqual([]);
    });
  });
}
