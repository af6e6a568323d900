// Page sizes of the commands that page, apart from the argument schemas so that the renderer can
// know them without bundling valibot (test/api/validate.test.ts keeps it out).

/** Page sizes: the default when a command's `limit` is absent, and the largest accepted. */
export const PAGE_LIMITS = {
  objects: { default: 200, max: 1000 },
  runs: { default: 50, max: 1000 },
  logs: { default: 200, max: 1000 },
  preview: { default: 20, max: 1000 },
} as const;
