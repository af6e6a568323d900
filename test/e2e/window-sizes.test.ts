// The app at the window sizes people use, from 800×600 up, and its accessibility: in Debian's chromium
// against `cloud-data-sync serve` with two local folder connections and two mappings (one with a very
// long name). At each size the editors' buttons must take the click (Playwright refuses to click an
// element another one covers), and every view, light and dark, must have no serious or critical axe-core
// violation.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/store';
import type { Mapping } from '../../shared/model';
import { startAppServer, type AppServer } from './support/app-server';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser, type Browser } from './support/browser';
import { ensureRendererBuild } from './support/renderer-build';
import { label, openView, waitForText, type ViewLabel } from './support/ui';

const LOCAL = 'Local files';
const NAS = 'NAS folder';
const PHOTOS = 'Photos backup';
const LONG = 'Quarterly finance exports from the accounting share to the long-term archive folder on the NAS (kept for seven years)';
const VIEWS: ViewLabel[] = ['Connections', 'Mappings', 'Activity', 'History', 'Logs', 'Settings', 'Engines'];
const SIZES = [
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
] as const;

let scratch: string;
let server: AppServer;
let browser: Browser;
let page: Page;

function mapping(id: string, name: string, sourceBucket: string, targetBucket: string): Mapping {
  return {
    id,
    name,
    sourceConnectionId: 'local',
    sourceBucket,
    sourcePrefix: '',
    targetConnectionId: 'nas',
    targetBucket,
    targetPrefix: '',
    transfers: 4,
    deleteMode: 'synced',
    maxDelete: null,
    dryRun: false,
    enabled: true,
    intervalSeconds: null,
  };
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'cds-e2e-sizes-'));
  const roots = { local: path.join(scratch, 'local'), nas: path.join(scratch, 'nas') };
  for (const [bucket, files] of [['photos', 6], ['finance', 3]] as const) {
    mkdirSync(path.join(roots.local, bucket), { recursive: true });
    for (let i = 0; i < files; i++) writeFileSync(path.join(roots.local, bucket, `file-${i}.txt`), `content ${i}`);
  }
  for (const bucket of ['photos-copy', 'finance-archive']) mkdirSync(path.join(roots.nas, bucket), { recursive: true });

  const [build, launched] = await Promise.all([ensureRendererBuild(), launchBrowser()]);
  browser = launched;
  page = browser.page;
  server = await startAppServer(build, (dbPath) => {
    const store = openStore(dbPath);
    try {
      store.connections.upsert({ id: 'local', name: LOCAL, type: 'local', local: { root: roots.local } });
      store.connections.upsert({ id: 'nas', name: NAS, type: 'local', local: { root: roots.nas } });
      store.mappings.upsert(mapping('photos', PHOTOS, 'photos', 'photos-copy'));
      store.mappings.upsert(mapping('finance', LONG, 'finance', 'finance-archive'));
    } finally {
      store.close();
    }
  });
  await page.goto(server.openUrl);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

/** The page scrolled no wider than the window: nothing runs off screen sideways. */
async function expectNoSidewaysScroll(): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

/**
 * The buttons of `formName` that no scroll position makes clickable: the form's scrolling container
 * is stepped from top to bottom, and a button counts as reachable once a click at its centre hits it
 * (a sticky list over the editor leaves some never reachable; the sticky top bar covers each only for
 * a while).
 */
async function coveredButtons(formName: string): Promise<string[]> {
  return page.evaluate((name) => {
    const form = [...document.querySelectorAll('form')].find((f) => f.getAttribute('aria-labelledby') && document.getElementById(f.getAttribute('aria-labelledby')!)?.textContent === name);
    if (!form) return [`no form named ${name}`];
    let scroller: HTMLElement | null = form.parentElement;
    while (scroller && !(scroller.scrollHeight > scroller.clientHeight && /(auto|scroll)/.test(getComputedStyle(scroller).overflowY))) scroller = scroller.parentElement;
    const box = scroller ?? document.scrollingElement ?? document.documentElement;
    const buttons = [...form.querySelectorAll('button')].filter((b) => b.getBoundingClientRect().width > 0);
    const reachable = new Set<HTMLButtonElement>();
    const lastHit = new Map<HTMLButtonElement, string>();
    // Bounded: at most 400 steps of 50 px (20,000 px of page), far more than any view here.
    for (let step = 0, top = 0; step < 400; step++, top += 50) {
      box.scrollTop = top;
      for (const button of buttons) {
        const r = button.getBoundingClientRect();
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) continue;
        const hit = document.elementFromPoint(x, y);
        if (hit && button.contains(hit)) reachable.add(button);
        else if (hit) lastHit.set(button, `${hit.tagName.toLowerCase()}.${hit.className}`);
      }
      if (top >= box.scrollHeight - box.clientHeight) break;
    }
    box.scrollTop = 0;
    return buttons.filter((b) => !reachable.has(b)).map((b) => `${b.textContent?.trim()} (covered by ${lastHit.get(b) ?? 'nothing: never in view'})`);
  }, formName);
}

describe.each(SIZES)('at $width×$height', (size) => {
  beforeAll(async () => {
    await page.setViewportSize(size);
  });

  it('syncs from a card and shows the run', async () => {
    await openView(page, 'Mappings');
    const card = page.getByRole('article', { name: PHOTOS, exact: true });
    await card.getByRole('button', { name: `Sync now: ${PHOTOS}`, exact: true }).click();
    await card.locator('[data-status="success"]').waitFor({ timeout: 60_000 });
    await expectNoSidewaysScroll();
  });

  it("edits a mapping: the editor's Save takes the click, even below a long list", async () => {
    await openView(page, 'Mappings');
    await page.getByRole('button', { name: `Edit ${LONG}`, exact: true }).click();
    const editor = page.getByRole('form', { name: `Edit ${LONG}`, exact: true });
    await editor.waitFor();
    expect(await coveredButtons(`Edit ${LONG}`)).toEqual([]);
    await editor.getByLabel(label('Parallel transfers')).fill('6');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await editor.waitFor({ state: 'detached' });
    await waitForText(page.getByRole('region', { name: 'Messages' }), `Mapping "${LONG}" saved.`);
    await expectNoSidewaysScroll();
  });

  it("edits a connection: the form's Save takes the click", async () => {
    await openView(page, 'Connections');
    await page.getByRole('button', { name: `Edit ${NAS}`, exact: true }).click();
    const form = page.getByRole('form', { name: `Edit ${NAS}`, exact: true });
    await form.waitFor();
    // The "saved" message of the step before may still be over the form: clicks go through it.
    expect(await coveredButtons(`Edit ${NAS}`)).toEqual([]);
    await form.getByLabel(label('Name')).fill(`${NAS} `);
    await form.getByLabel(label('Name')).fill(NAS);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    await expectNoSidewaysScroll();
  });

  it('History and Logs keep a long mapping name inside the window', async () => {
    for (const view of ['History', 'Logs'] as const) {
      await openView(page, view);
      await expectNoSidewaysScroll();
    }
  });
});

describe('accessibility (axe-core)', () => {
  // A finished run, so History and Logs have rows, links and a detail to check.
  beforeAll(async () => {
    await page.setViewportSize(SIZES[1]);
    await openView(page, 'Mappings');
    const card = page.getByRole('article', { name: PHOTOS, exact: true });
    await card.getByRole('button', { name: `Sync now: ${PHOTOS}`, exact: true }).click();
    await card.locator('[data-status="success"]').waitFor({ timeout: 60_000 });
  }, 90_000);

  it.each(['light', 'dark'] as const)('no serious or critical violation on any view, %s', async (colorScheme) => {
    await page.emulateMedia({ colorScheme });
    const found: string[] = [];
    for (const view of VIEWS) {
      await openView(page, view);
      const problems = await axeViolations(page);
      if (problems.length > 0) found.push(`${view}:\n${describeViolations(problems)}`);
    }
    // A mapping's runs with one opened, and its log.
    await openView(page, 'Mappings');
    await page.getByRole('button', { name: `History of ${PHOTOS}`, exact: true }).click();
    const details = page.getByRole('table', { name: 'Runs' }).getByRole('button', { name: /^Run \d+ details$/ }).first();
    await details.click();
    await page.getByRole('region', { name: /^Run \d+$/ }).waitFor();
    const historyProblems = await axeViolations(page);
    if (historyProblems.length > 0) found.push(`History with a run opened:\n${describeViolations(historyProblems)}`);
    await openView(page, 'Mappings');
    await page.getByRole('button', { name: `Logs of ${PHOTOS}`, exact: true }).click();
    await waitForText(page.getByRole('list', { name: 'Log lines', exact: true }), /Run success/);
    const logProblems = await axeViolations(page);
    if (logProblems.length > 0) found.push(`Logs of a mapping:\n${describeViolations(logProblems)}`);

    // The editors too, open beside their lists.
    await openView(page, 'Mappings');
    await page.getByRole('button', { name: `Edit ${PHOTOS}`, exact: true }).click();
    await page.getByRole('form', { name: `Edit ${PHOTOS}`, exact: true }).waitFor();
    const editorProblems = await axeViolations(page);
    if (editorProblems.length > 0) found.push(`Mapping editor:\n${describeViolations(editorProblems)}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await openView(page, 'Connections');
    await page.getByRole('button', { name: `Edit ${LOCAL}`, exact: true }).click();
    await page.getByRole('form', { name: `Edit ${LOCAL}`, exact: true }).waitFor();
    const formProblems = await axeViolations(page);
    if (formProblems.length > 0) found.push(`Connection form:\n${describeViolations(formProblems)}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.emulateMedia({ colorScheme: 'light' });
    expect(found.join('\n\n')).toBe('');
  });
});
