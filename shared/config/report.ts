// Reading JSON values while collecting every issue (errors and warnings), not only the first.
import { PLACEHOLDER_PREFIX } from './defaults';

export interface ConfigIssue {
  /** JSON path of the offending value, e.g. "providers[1].minio.endpoint"; "(file)" for syntax errors. */
  field: string;
  message: string;
}

/** Every problem found in a config, not only the first, so the user can fix the file in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The first issue's field: what a caller showing a single error points at. */
  readonly field: string;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
    this.issues = issues;
    this.field = issues[0]?.field ?? '';
  }
}

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class Report {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: string[] = [];
  /** A file tolerates unknown keys (written by a newer version); input from the app's forms does not. */
  constructor(readonly unknownKeys: 'warn' | 'error' = 'warn') {}
  error(field: string, message: string): void {
    this.issues.push({ field, message });
  }
  warn(field: string, message: string): void {
    const line = `${field}: ${message}`;
    if (!this.warnings.includes(line)) this.warnings.push(line);
  }
}

/** Typed reads from one JSON object. Remembers which keys were read so the rest can be reported. */
export class Fields {
  private readonly used = new Set<string>();
  constructor(
    readonly report: Report,
    readonly path: string,
    private readonly obj: JsonObject,
  ) {}

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }
  error(key: string, message: string): void {
    this.report.error(this.at(key), message);
  }
  warn(key: string, message: string): void {
    this.report.warn(this.at(key), message);
  }
  errorHere(message: string): void {
    this.report.error(this.path || '(root)', message);
  }

  /** The raw value; null counts as absent, as it did for the original tool (Go zero values). */
  get(key: string): unknown {
    let actual = key;
    if (!Object.hasOwn(this.obj, key)) {
      // Go's encoding/json matched keys case-insensitively, so files it accepted may say "ProjectId".
      const variant = Object.keys(this.obj).find((k) => k.toLowerCase() === key.toLowerCase());
      if (variant === undefined) return undefined;
      this.warn(variant, `read as "${key}"; keys are case-sensitive here, so spell it "${key}"`);
      actual = variant;
    }
    this.used.add(actual);
    const value = this.obj[actual];
    return value === null ? undefined : value;
  }

  /** A string; "" counts as absent (Go zero value). `required` is the message when it is absent. */
  string(key: string, required?: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
      if (required !== undefined) this.error(key, required);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.error(key, `must be a string (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === 'boolean') return value;
    this.error(key, `must be true or false (got ${describe(value)})`);
    return undefined;
  }

  int(key: string, min: number, max?: number): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max)) {
      return value;
    }
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    this.error(key, `must be a whole number ${range} (got ${describe(value)})`);
    return undefined;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    const match = allowed.find((a) => a === value);
    if (match === undefined) this.error(key, `must be one of ${quoteList(allowed)} (got ${describe(value)})`);
    return match;
  }

  /** A non-empty array; `what` names its elements in the message. */
  list(key: string, what: string): unknown[] | undefined {
    const value = this.get(key);
    if (Array.isArray(value) && value.length > 0) return value;
    this.error(key, `must be a non-empty array of ${what} (got ${describe(value)})`);
    return undefined;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.obj, key);
  }
  /** Marks a key as known without reading it; with a reason, tells the user it is ignored. */
  skip(key: string, reason?: string): void {
    if (!this.has(key)) return;
    this.used.add(key);
    if (reason !== undefined) this.warn(key, `ignored: ${reason}`);
  }
  /**
   * Reports unknown keys: by default warnings in a file (it may come from a newer version), errors in
   * app input; `unknownKeys` overrides that for this object.
   */
  finish(unknownKeys: 'warn' | 'error' = this.report.unknownKeys): void {
    for (const key of Object.keys(this.obj)) {
      if (this.used.has(key)) continue;
      if (unknownKeys === 'error') this.error(key, 'unknown key');
      else this.warn(key, 'unknown key, ignored');
    }
  }
}

export function asFields(report: Report, value: unknown, path: string): Fields | undefined {
  if (isObject(value)) return new Fields(report, path, value);
  report.error(path || '(root)', `must be a JSON object (got ${describe(value)})`);
  return undefined;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function quoteList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

export function isPlaceholder(value: string): boolean {
  return value.startsWith(PLACEHOLDER_PREFIX);
}
