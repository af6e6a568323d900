// axe-core in the page: the accessibility rules a screen reader or keyboard user depends on. Injected
// from the installed package (nothing is fetched), run on the whole document as it is now.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  /** The offending elements, as CSS selectors, with axe's summary of what is wrong with each. */
  nodes: { target: string; summary: string }[];
}

/** The violations of the given impacts (by default the ones we do not ship: serious and critical). */
export async function axeViolations(page: Page, impacts: readonly string[] = ['serious', 'critical']): Promise<AxeProblem[]> {
  // Evaluated through the debugging protocol: the app's Content-Security-Policy (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
    }));
  });
  return violations.filter((v) => impacts.includes(v.impact));
}

/** Violations as lines for a failure message: rule, impact, help, then each element. */
export function describeViolations(problems: readonly AxeProblem[]): string {
  return problems.map((p) => `${p.id} (${p.impact}): ${p.help}\n${p.nodes.map((n) => `  ${n.target}: ${n.summary.replace(/\n/g, ' ')}`).join('\n')}`).join('\n');
}
