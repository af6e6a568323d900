// POST /b/SRC/o/NAME/rewriteTo/b/DST/o/NAME: server-side copy. Objects larger than one call's
// budget take several calls: each answers done:false with a rewriteToken until the last one, which
// carries the new object, as GCS does for rewrites across locations or storage classes.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { appendRange } from './files';
import { readJson, sendJson, type Call } from './http';
import { checkPreconditions } from './preconditions';
import { errors, objectResource, writableFields, type WritableFields } from './resource';

export interface RewriteSession {
  source: { bucket: string; name: string; generation: number; file: string; size: number };
  destination: { bucket: string; name: string };
  fields: WritableFields;
  /** Where the copied bytes accumulate. */
  file: string;
  copied: number;
}

/** GCS takes maxBytesRewrittenPerCall only in whole MiB. */
const MiB = 1024 * 1024;

export async function rewriteObject(call: Call, srcBucket: string, srcName: string, dstBucket: string, dstName: string): Promise<void> {
  const { query, ctx } = call;
  const body = await readJson(call.req);
  const perCallParam = query.get('maxBytesRewrittenPerCall');
  const perCall = perCallParam === null ? ctx.rewriteBytesPerCall : Number(perCallParam);
  if (!Number.isInteger(perCall) || perCall <= 0 || (perCallParam !== null && perCall % MiB !== 0)) {
    throw errors.invalid(`Invalid argument: maxBytesRewrittenPerCall must be a positive multiple of 1048576, got ${perCallParam}`);
  }
  const token = query.get('rewriteToken');
  let session: RewriteSession;
  if (token) {
    const found = ctx.rewrites.get(token);
    if (!found || found.source.bucket !== srcBucket || found.source.name !== srcName || found.destination.bucket !== dstBucket || found.destination.name !== dstName) {
      throw errors.invalid('Invalid rewrite token.');
    }
    session = found;
  } else {
    const source = ctx.state.object(srcBucket, srcName);
    const generation = query.get('sourceGeneration');
    if (generation !== null && generation !== String(source.generation)) throw errors.noSuchObject(srcBucket, srcName);
    checkPreconditions(source, query, { prefix: 'Source' });
    ctx.state.bucket(dstBucket);
    // An empty destination resource copies the source's metadata; given fields replace it.
    const fields = Object.keys(body).length === 0 ? pickFields(source) : writableFields(body);
    const file = ctx.state.tempFile();
    await writeFile(file, '');
    session = {
      source: { bucket: srcBucket, name: srcName, generation: source.generation, file: source.file, size: source.size },
      destination: { bucket: dstBucket, name: dstName },
      fields,
      file,
      copied: 0,
    };
  }
  // The source must stay the same generation from the first call to the last.
  const current = ctx.state.object(srcBucket, srcName);
  if (current.generation !== session.source.generation) {
    dropSession(call, token);
    throw errors.noSuchObject(srcBucket, `${srcName}#${session.source.generation}`);
  }
  const { size } = session.source;
  const upTo = Math.min(size, session.copied + perCall);
  await appendRange(session.source.file, session.file, session.copied, upTo);
  session.copied = upTo;
  const progress = { kind: 'storage#rewriteResponse', totalBytesRewritten: String(upTo), objectSize: String(size) };
  if (upTo < size) {
    const next = token ?? randomBytes(24).toString('base64url');
    ctx.rewrites.set(next, session);
    sendJson(call.res, 200, { ...progress, done: false, rewriteToken: next });
    return;
  }
  dropSession(call, token);
  const draft = { bucket: dstBucket, name: dstName, file: session.file, fields: session.fields };
  const object = await ctx.state.commit(draft, query);
  sendJson(call.res, 200, { ...progress, done: true, resource: objectResource(object, ctx.baseUrl) });
}

function dropSession(call: Call, token: string | null): void {
  if (token) call.ctx.rewrites.delete(token);
}

function pickFields(source: WritableFields): WritableFields {
  const { contentType, cacheControl, contentEncoding, contentDisposition, contentLanguage, metadata } = source;
  return { contentType, cacheControl, contentEncoding, contentDisposition, contentLanguage, metadata: metadata && { ...metadata } };
}
