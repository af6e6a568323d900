// Starts s3rver (a local S3 implementation) as a child process on 127.0.0.1 for provider tests.
// A child process rather than in-process: s3rver needs NODE_OPTIONS=--openssl-legacy-provider
// (its continuation tokens use DES; without the legacy provider every paginated ListObjectsV2
// answers 500), and the flag cannot be turned on inside an already running Node.
import { createRequire } from 'node:module';
import type { AwsSettings, MinioSettings } from '../../shared/model';
import { HOST, startChildServer } from './child-server';

/** s3rver's built-in account: it knows no other access key (and does not verify SigV4 signatures). */
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';
const STOP_GRACE_MS = 3_000;

export interface S3TestServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** Kills the server (SIGTERM, then SIGKILL after a grace period) and removes its data directory. */
  stop(): Promise<void>;
}

const S3RVER_BIN = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');

/**
 * Plain CommonJS run in the child before s3rver's CLI. Each fix makes s3rver behave as real S3 does
 * where the provider contract depends on it; without them the tests would measure s3rver's bugs:
 * 1. Listing order: s3rver walks its directory tree (so `a/b` lists before `a-b` and `a`) and skips
 *    keys `<= startAfter` compared as UTF-16, which silently drops keys at page boundaries. Real S3
 *    lists in UTF-8 byte order; this lists every key under the prefix and sorts it that way.
 * 2. `encoding-type=url` is ignored by s3rver; the minio client always asks for it and always
 *    URL-decodes, so `+` became a space and `%` threw. Real S3 encodes keys and says so.
 * 3. PutObject wrote straight into the object file, so an aborted or short upload destroyed the
 *    previous object (and a client abort hung the request). Real S3 replaces objects atomically;
 *    this writes a temp file and renames it after the whole body arrived.
 * 4. x-amz-copy-source was decoded with decodeURI, which keeps %23 %3F %2B ... encoded. Real S3
 *    decodes it fully.
 * 5. DeleteObjects deletes keys concurrently and each delete removes "empty" parent directories
 *    with no tolerance for a sibling delete doing the same (500 ENOENT/ENOTEMPTY).
 */
const S3RVER_FIDELITY_FIXES = String.raw`
'use strict';
const path = require('path');
const crypto = require('crypto');
const fs = require('fs');
const { pipeline } = require('stream/promises');
const root = path.dirname(path.dirname(process.argv[1]));
const Store = require(path.join(root, 'lib/stores/filesystem'));
const S3Object = require(path.join(root, 'lib/models/object'));
const bucketCtrl = require(path.join(root, 'lib/controllers/bucket'));
const objectCtrl = require(path.join(root, 'lib/controllers/object'));
const OBJECT_SUFFIX = '._S3rver_object';

function* walkFiles(dir) {
  let names;
  try { names = fs.readdirSync(dir); } catch (err) { if (err.code === 'ENOENT') return; throw err; }
  for (const name of names) {
    const p = dir + '/' + name;
    let st;
    try { st = fs.statSync(p); } catch (err) { if (err.code === 'ENOENT') continue; throw err; }
    if (st.isDirectory()) yield* walkFiles(p); else yield p;
  }
}
const byteCompare = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// 1.
Store.prototype.listObjects = async function listObjects(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  const bucketPath = this.getBucketPath(bucket);
  const all = [];
  for (const file of walkFiles(bucketPath)) {
    if (!file.endsWith(OBJECT_SUFFIX)) continue;
    const key = Store.decodeKeyPath(file.slice(bucketPath.length + 1, -OBJECT_SUFFIX.length));
    if (key.startsWith(prefix) && byteCompare(key, startAfter) > 0) all.push(key);
  }
  all.sort(byteCompare);
  const keys = [];
  const commonPrefixes = new Set();
  let isTruncated = false;
  for (const key of all) {
    const idx = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (idx !== -1) { commonPrefixes.add(key.slice(0, idx + delimiter.length)); continue; }
    if (keys.length >= maxKeys) { isTruncated = true; break; }
    keys.push(key);
  }
  const objects = [];
  for (const key of keys) {
    const metadata = await this.getMetadata(bucket, key).catch((err) => { if (err.code === 'ENOENT') return undefined; throw err; });
    if (metadata) objects.push(new S3Object(bucket, key, null, metadata));
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(byteCompare), isTruncated };
};

// 2.
const getBucket = bucketCtrl.getBucket;
bucketCtrl.getBucket = async function (ctx) {
  await getBucket(ctx);
  const result = ctx.body && ctx.body.ListBucketResult;
  if (ctx.query['encoding-type'] !== 'url' || !result) return;
  // Like S3 and MinIO: everything but RFC 3986 unreserved characters and '/' is percent-encoded.
  const enc = (v) => (typeof v === 'string'
    ? encodeURIComponent(v).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%2F/g, '/')
    : v);
  for (const field of ['Prefix', 'Delimiter', 'StartAfter', 'Marker', 'NextMarker']) result[field] = enc(result[field]);
  for (const c of result.Contents) c.Key = enc(c.Key);
  for (const p of result.CommonPrefixes) p.Prefix = enc(p.Prefix);
  result.EncodingType = 'url';
};

// 3.
Store.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  fs.mkdirSync(path.dirname(objectPath), { recursive: true });
  const tmp = objectPath + '.' + crypto.randomBytes(8).toString('hex') + '.partial';
  const md5 = crypto.createHash('md5');
  let size = 0;
  const source = Buffer.isBuffer(object.content) ? [object.content] : object.content;
  try {
    await pipeline(source, async function* (chunks) {
      for await (const chunk of chunks) { md5.update(chunk); size += chunk.length; yield chunk; }
    }, fs.createWriteStream(tmp));
    fs.renameSync(tmp, objectPath);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};

// 4.
const putObjectCopy = objectCtrl.putObjectCopy;
objectCtrl.putObjectCopy = function (ctx) {
  const source = ctx.headers['x-amz-copy-source'];
  // s3rver then applies decodeURI, which inverts encodeURI exactly.
  if (source) ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
  return putObjectCopy(ctx);
};

// 5.
const deleteObject = Store.prototype.deleteObject;
Store.prototype.deleteObject = async function (bucket, key) {
  try {
    await deleteObject.call(this, bucket, key);
  } catch (err) {
    if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY') throw err;
  }
};
`;

export async function startS3Server(): Promise<S3TestServer> {
  const server = await startChildServer({
    name: 's3rver',
    scratchPrefix: 's3rver-',
    bin: S3RVER_BIN,
    prelude: S3RVER_FIDELITY_FIXES,
    command: (port, dataDir) => ({
      args: ['-a', HOST, '-p', String(port), '-d', dataDir, '--silent', '--no-vhost-buckets'],
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    }),
    readyPath: '/',
    stopGraceMs: STOP_GRACE_MS,
  });
  return {
    endpoint: `http://${HOST}:${server.port}`,
    port: server.port,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    stop: () => server.stop(),
  };
}

/** Settings for the s3 provider against this server (custom endpoint, so path style and WHEN_REQUIRED checksums). */
export function awsSettingsFor(server: S3TestServer): AwsSettings {
  return {
    region: 'us-east-1',
    endpoint: server.endpoint,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
  };
}

/** Settings for the minio provider against this server (host:port, as in the original tool). */
export function minioSettingsFor(server: S3TestServer): MinioSettings {
  return {
    endpoint: `${HOST}:${server.port}`,
    accessKey: server.accessKeyId,
    secretKey: server.secretAccessKey,
    useSSL: false,
    region: 'us-east-1',
  };
}
