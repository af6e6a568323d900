// Which object metadata survives a sync, for every ordered pair of providers, measured against the
// real test servers and compared with the table checked in at docs/metadata-fidelity.md.
// Regenerate it after a deliberate change with: UPDATE_DOCS=1 npm test -- test/sync/metadata-fidelity
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping, TargetEncryption } from '../../shared/model';
import { openStore, type Store } from '../../electron/store';
import { runMapping } from '../../electron/sync/runner';
import { ENDPOINT_KINDS, startEndpoints, type EndpointKind, type Endpoints } from '../support/endpoints';
import { putText, uniqueBucket } from '../support/objects';
import { REPO_ROOT } from '../support/cli-child';

const DOC = path.join(REPO_ROOT, 'docs/metadata-fidelity.md');
const SENT = {
  contentType: 'application/json',
  cacheControl: 'public, max-age=60',
  contentEncoding: 'gzip',
  contentDisposition: 'attachment; filename="report.json"',
  // Non-ASCII values too: S3 headers carry them RFC 2047-encoded, as S3 itself does.
  metadata: { 'owner-id': 'team-7', project: 'apollo', city: 'Zürich 日本 😀' },
};
const FIELDS = ['contentType', 'cacheControl', 'contentEncoding', 'contentDisposition', 'metadata'] as const;
/** Tags on the source object, where the source stores tags: valid for S3 and Azure alike. */
const TAGS = { project: 'apollo', 'cost-center': 'R+D/7' };
/** The kinds on s3rver, which ignores tags sent with a write (the column shows it). */
const ON_S3RVER: ReadonlySet<EndpointKind> = new Set(['s3', 'minio']);
/** moto too: s3rver (behind `s3` and `minio`) stores no tags and no encryption. */
const KINDS: readonly EndpointKind[] = [...ENDPOINT_KINDS, 'moto'];
/** What each target kind's mapping asks for: a class other than the default, and an encryption. */
const TARGET_OPTIONS: Partial<Record<EndpointKind, { targetStorageClass: string; targetEncryption: TargetEncryption }>> = {
  s3: { targetStorageClass: 'STANDARD_IA', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'fidelity-key' } },
  moto: { targetStorageClass: 'STANDARD_IA', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'fidelity-key' } },
  minio: { targetStorageClass: 'REDUCED_REDUNDANCY', targetEncryption: { sse: 'AES256' } },
  azure: { targetStorageClass: 'Cool', targetEncryption: { encryptionScope: 'fidelity-scope' } },
  gcs: { targetStorageClass: 'NEARLINE', targetEncryption: { kmsKeyName: 'projects/p/locations/eu/keyRings/r/cryptoKeys/fidelity' } },
};

/** Markdown lines of the doc: what the tags, storage class and encryption columns mean. */
const TARGET_NOTES = `The source object also carries two tags where the source stores tags (S3, MinIO, Azure), and every
mapping asks for a storage class other than the default and for an encryption (S3: \`STANDARD_IA\` and
SSE-KMS with key \`fidelity-key\`; MinIO: \`REDUCED_REDUNDANCY\` and SSE-S3; Azure: \`Cool\` and
encryption scope \`fidelity-scope\`; GCS: \`NEARLINE\` and a Cloud KMS key; a local folder takes neither).
\`s3\` and \`minio\` are those providers on s3rver, \`moto\` the s3 provider on moto's server. Tags: "none
at source" means the source did not hold them and "—" that the target did not keep them (s3rver ignores
tags sent with a write), "dropped, warned" that the target has no tags and the run's log said so.
Encryption: "not reported" means the target server does not report it back (s3rver, Azurite; see below).`.split('\n');

const TARGET_DETAILS = `## Tags, storage class and encryption

- **Tags**: S3 object tags ↔ Azure blob index tags, and S3 → S3, Azure → Azure. GCS objects and local
  files have no tags: objects are copied without them and the run ends with one warning, "N object(s)
  had tags that Google Cloud Storage cannot store…". A tag the target cannot store as it is fails that
  object with a message naming the tag (Azure allows ASCII letters, digits, space and \`+ - . / : = _\`;
  S3 letters, digits, spaces and \`+ - = . _ : / @\`; both at most 10 tags, names of 1-128 and values of
  0-256 characters). Tags are never renamed or encoded: lifecycle rules, IAM conditions and tag queries
  match their exact text, so an encoded tag would look kept while nothing matches it.
- **What tags cost**: an S3 HEAD answers \`x-amz-tagging-count\` (absent when there are none) and an
  Azure one \`x-ms-tag-count\`, so tags are read (GetObjectTagging, Get Blob Tags: one request) only for
  objects that have some, and only when the target stores tags
  (\`test/providers/target-options-engine.test.ts\` counts the requests).
- **A change to tags alone** changes neither an S3 nor an Azure ETag: it reaches the target with the
  object's next content change, not before.
- **Server-side copies** keep the source's tags: S3 CopyObject with \`TaggingDirective: COPY\`; a multipart
  copy and Azure's Copy Blob are given the tags read from the source.
- **Storage class** on every write and copy: S3 \`x-amz-storage-class\` (PutObject, CreateMultipartUpload,
  CopyObject), GCS \`storageClass\` (single and resumable uploads, rewrite; a rewrite that sets a class
  sends the source's metadata itself, pinned to the generation it read), Azure access tier (Put Blob,
  Put Block List, Copy Blob).
- **Archive classes** (S3 GLACIER and DEEP_ARCHIVE, Azure Archive, GCS ARCHIVE) work as targets: the
  engine never reads a target object's bytes. A write is checked by what it answered, and later runs
  compare listings with the recorded state (tested: no read request in two runs). Restoring is up to you.
- **Encryption**: S3 and MinIO \`x-amz-server-side-encryption\` (AES256, or aws:kms with
  \`x-amz-server-side-encryption-aws-kms-key-id\`) on PutObject, CreateMultipartUpload and CopyObject; GCS
  \`kmsKeyName\` on uploads and \`destinationKmsKeyName\` on rewrites; Azure \`x-ms-encryption-scope\` on Put
  Blob and Put Block List. Azure's Copy Blob cannot set a scope, so with one, same-account copies are
  streamed instead.
- **SSE-KMS and verification**: the ETag is then not an MD5 and cannot confirm what S3 stored. The s3
  provider sends an object whose MD5 is not known before the upload as a multipart upload (one part
  for a small object), every part with its Content-MD5, so S3 checks every byte it receives; the MD5
  is kept as \`md5chksum\` metadata when known. The minio provider sends a Content-MD5 with every request.

### Where the test servers differ from the services

- **s3rver** ignores \`x-amz-tagging\` on PUT, never sends \`x-amz-tagging-count\`, ignores the encryption
  headers, and on CopyObject keeps the source's storage class (it copies the class as metadata under
  MetadataDirective COPY). The s3 provider reads a missing tag count as "none", as AWS means it, so tags
  put on an s3rver object with PutObjectTagging are not read.
- **moto** keeps MD5 ETags under SSE-KMS (AWS does not: the SSE tests use the proxy in
  \`test/providers/s3-sse-proxy.ts\`) and accepts any KMS key id.
- **Azurite** accepts \`x-ms-encryption-scope\` and ignores it (nothing is reported back; Azure refuses a
  scope the account lacks; \`test/providers/target-options.test.ts\` checks on the wire that Put Blob and
  Put Block List carry it), and refuses to overwrite a blob in the Archive tier ("This operation is not
  permitted on an archived blob"). Whether Azure itself lets Put Blob replace an archived blob is not
  verified here; where it does not, a changed object whose copy is archived fails until that copy is
  rehydrated or deleted.
- **The GCS test server** checks only the shape of a KMS key name (GCS checks the key exists and may be
  used), answers it with \`/cryptoKeyVersions/1\` as GCS does, and its PATCH takes a storage class (GCS
  changes a class only by a rewrite).
- None of this ran against AWS, Azure or Google themselves.`.split('\n');

describe('metadata fidelity', () => {
  let endpoints: Endpoints;
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    endpoints = await startEndpoints(KINDS);
    dir = await mkdtemp(path.join(tmpdir(), 'cds-fidelity-'));
    store = openStore(path.join(dir, 'state.db'));
    store.connections.upsert({ id: 'c', name: 'c', type: 'local', local: { root: '/unused' } });
  });
  afterAll(async () => {
    store?.close();
    await endpoints?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('matches docs/metadata-fidelity.md, and keeps everything between providers that store metadata', async () => {
    const rows: string[] = [];
    for (const sourceKind of KINDS) {
      for (const targetKind of KINDS) {
        const source = endpoints.provider(sourceKind);
        const target = endpoints.provider(targetKind);
        const mapping: Mapping = {
          id: `${sourceKind}-${targetKind}`, name: 'm', sourceConnectionId: 'c', sourceBucket: uniqueBucket('fs'), sourcePrefix: '',
          targetConnectionId: 'c', targetBucket: uniqueBucket('ft'), targetPrefix: '', transfers: 1, deleteMode: 'synced',
          maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, ...TARGET_OPTIONS[targetKind],
        };
        await source.createBucket(mapping.sourceBucket);
        await target.createBucket(mapping.targetBucket);
        await putText(source, mapping.sourceBucket, 'report.json', gzipSync('{"ok":true}'), { ...SENT, tags: source.capabilities.tags ? TAGS : undefined });
        // s3rver ignores tags sent with a write: only what the source really holds counts.
        const sourceTags = source.getTags ? await source.getTags(mapping.sourceBucket, 'report.json') : {};
        const hasTags = Object.keys(sourceTags).length > 0;
        store.mappings.upsert(mapping);
        const { run } = await runMapping({ state: store.engineState, mapping, source, target, sameConnection: false });
        expect(run.status, run.firstError ?? '').toBe('success');
        const got = await target.head(mapping.targetBucket, 'report.json');
        const kept = FIELDS.map((field) => (field === 'metadata' ? JSON.stringify(got?.metadata ?? {}) === JSON.stringify(SENT.metadata) : got?.[field] === SENT[field]));
        if (source.capabilities.metadata && target.capabilities.metadata) expect(kept, `${sourceKind} → ${targetKind}`).toEqual(FIELDS.map(() => true));
        const asked = TARGET_OPTIONS[targetKind];
        const targetTags = target.getTags ? await target.getTags(mapping.targetBucket, 'report.json') : {};
        const tags = !hasTags ? 'none at source' : JSON.stringify(targetTags) === JSON.stringify(sourceTags) ? '✔' : target.capabilities.tags ? '—' : 'dropped, warned';
        if (tags === 'dropped, warned') {
          expect(store.logs.query({ mappingId: mapping.id, runId: run.id, text: 'had tags that', limit: 5 }), `${sourceKind} → ${targetKind}`).toHaveLength(1);
        }
        if (hasTags && target.capabilities.tags && !ON_S3RVER.has(targetKind)) expect(targetTags, `${sourceKind} → ${targetKind}`).toEqual(sourceTags);
        const storageClass = !asked ? 'n/a' : got?.storageClass === asked.targetStorageClass ? '✔' : '—';
        const encryption = !asked ? 'n/a' : JSON.stringify(got?.encryption) === JSON.stringify(asked.targetEncryption) ? '✔' : 'not reported';
        // What the bytes were checked against end to end, as the run's log line says.
        const copied = store.logs.query({ mappingId: mapping.id, runId: run.id, text: 'Copied report.json', limit: 1 })[0]?.message ?? '';
        const verified = /verified: ([^;]+);/.exec(copied)?.[1] ?? (/server-side/.test(copied) ? 'server-side copy' : 'none');
        rows.push(`| ${sourceKind} → ${targetKind} | ${kept.map((k) => (k ? '✔' : '—')).join(' | ')} | ${tags} | ${storageClass} | ${encryption} | ${verified} |`);
      }
    }
    const table = [
      '# Metadata fidelity',
      '',
      'What survives a sync of one object written with content type, cache-control, content-encoding,',
      'content-disposition and three user metadata entries (one named `owner-id`, which Azure cannot store',
      'as is and the provider maps reversibly, and one with a non-ASCII value), and which checksums of the',
      'source the copied bytes were verified against end to end. Generated by',
      '`test/sync/metadata-fidelity.test.ts` against the test servers. `local` folders keep bytes only; the',
      'GCS SDK guesses a content type from the key\'s extension when none is given, which is why local → gcs',
      'shows one. See docs/integrity.md for what each check means and what the test servers lack.',
      '',
      ...TARGET_NOTES,
      '',
      '| pair | content type | cache-control | content-encoding | content-disposition | user metadata | tags | storage class | encryption | verified against |',
      '|---|:-:|:-:|:-:|:-:|:-:|:-:|:-:|:-:|:-:|',
      ...rows,
      '',
      ...TARGET_DETAILS,
      '',
    ].join('\n');
    if (process.env.UPDATE_DOCS === '1') await writeFile(DOC, table);
    expect(table).toBe(await readFile(DOC, 'utf8').catch(() => '(docs/metadata-fidelity.md is missing: run with UPDATE_DOCS=1)'));
  });
});
