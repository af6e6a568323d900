// V4 signed-URL GETs (XML API path style: /BUCKET/OBJECT?X-Goog-Signature=…), as a presigned source
// of issue 15's copy-from-URL fetches them. The expiry (X-Goog-Date + X-Goog-Expires) is honoured
// (400 ExpiredToken, as GCS answers); the RSA signature itself is NOT checked: any signature passes.
// An error answers GCS's XML error form, not the JSON API's.
import { getObject } from './objects';
import type { Call } from './http';
import { GcsHttpError } from './resource';

export function signedGet(call: Call, bucket: string, name: string): Promise<void> | void {
  const date = call.query.get('X-Goog-Date') ?? '';
  const expires = Number(call.query.get('X-Goog-Expires'));
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m || !Number.isSafeInteger(expires)) return xmlError(call, 400, 'AuthenticationRequired', 'Missing or malformed X-Goog-Date / X-Goog-Expires.');
  const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Date.now() > signedAt + expires * 1000) return xmlError(call, 400, 'ExpiredToken', 'Invalid argument.');
  call.query.set('alt', 'media');
  try {
    return getObject(call, bucket, name);
  } catch (err) {
    if (err instanceof GcsHttpError && err.status === 404) return xmlError(call, 404, 'NoSuchKey', 'The specified key does not exist.');
    throw err;
  }
}

function xmlError(call: Call, status: number, code: string, message: string): void {
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  call.res.writeHead(status, { 'Content-Type': 'application/xml; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
}
