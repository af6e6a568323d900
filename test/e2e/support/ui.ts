// Small steps the e2e tests repeat: go to a view, wait for text, take a screenshot of the window.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO_ROOT } from '../../support/cli-child';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');

export type ViewLabel = 'Connections' | 'Mappings' | 'Activity' | 'History' | 'Logs' | 'Settings' | 'Engines';

/**
 * A field's label, matched whole: a required field's label ends in " *" (hidden from assistive
 * technology, but part of the text Playwright's getByLabel matches).
 */
export function label(text: string): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}( \\*)?$`);
}

/**
 * A select inside its label ("Level", "Run", "Mapping" in the History and Logs headers). getByLabel
 * cannot take those: the label's text includes the options.
 */
export function inlineSelect(scope: Page | Locator, caption: string): Locator {
  return scope.locator('label').filter({ has: scope.getByText(caption, { exact: true }) }).getByRole('combobox');
}

/** Clicks a view in the sidebar and waits until it is the current one. */
export async function openView(page: Page, view: ViewLabel): Promise<void> {
  // "Activity" carries a count while runs are going ("Activity 1 running"): match the start.
  const button = page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${view}`) });
  await button.click();
  await page.locator('nav[aria-label="Main"] [aria-current="page"]', { hasText: view }).waitFor();
  await page.getByRole('heading', { level: 1, name: view, exact: true }).waitFor();
}

/** Polls until the locator's text matches, or fails with what it last saw. */
export async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '(no element)';
  for (;;) {
    const texts = await locator.allInnerTexts();
    if (texts.length > 0) {
      last = texts.join(' | ');
      const hit = texts.find((t) => (typeof expected === 'string' ? t.includes(expected) : expected.test(t)));
      if (hit !== undefined) return hit;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(expected)} in ${locator}; last text: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Dismisses the toasts ("saved" and the like) so they do not cover a screenshot. */
export async function dismissToasts(page: Page): Promise<void> {
  const buttons = page.getByRole('region', { name: 'Messages' }).getByRole('button', { name: /^Dismiss/ });
  while ((await buttons.count()) > 0) await buttons.first().click();
}

/** The window as it is now, 1280×800, saved as docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await dismissToasts(page);
  // No hover highlight or focus ring left over from the last click.
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' });
}
