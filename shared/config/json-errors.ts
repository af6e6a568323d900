// config.json syntax errors, reported with a line and column whatever the JSON engine says.
import type { ConfigIssue } from './report';

export function jsonSyntaxIssue(text: string, err: unknown): ConfigIssue {
  const raw = err instanceof Error ? err.message : String(err);
  const reported = /at position (\d+)/.exec(raw);
  // V8 gives no position for "Unexpected token" errors, so find the offset ourselves.
  const offset = reported ? Number(reported[1]) : syntaxErrorOffset(text);
  const reason = raw.replace(/,? *(in JSON )?at position \d+.*$/s, '').replace(/, ("|\.\.\.").*is not valid JSON$/s, '');
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { field: '(file)', message: `invalid JSON at line ${line}, column ${offset - lineStart + 1}: ${reason}` };
}

/** Offset of the first syntax error, by walking the JSON grammar (only called on failure). */
function syntaxErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text.charAt(i))) i++;
  };
  const token = (re: RegExp): boolean => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) i += m[0].length;
    return m !== null;
  };
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  const items = (close: string, item: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ',') fail();
      i++;
    }
  };
  const value = (): void => {
    skipSpace();
    if (text[i] === '{') {
      items('}', () => {
        skipSpace();
        if (!token(STRING)) fail();
        skipSpace();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    } else if (text[i] === '[') {
      items(']', value);
    } else if (!token(STRING) && !token(SCALAR)) {
      // Point past the part of a misspelt literal that matched ("tru}" fails at "}"), as V8 does.
      const matched = ['true', 'false', 'null'].map((word) => [...word].findIndex((ch, k) => text[i + k] !== ch));
      i += Math.max(0, ...matched);
      fail();
    }
  };
  try {
    value();
    skipSpace();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : 0;
  }
}
