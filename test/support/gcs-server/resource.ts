// The JSON shapes of the GCS JSON API that the SDK reads: object and bucket resources, list pages
// and the error envelope. Numbers that are int64 in the API (size, generation, metageneration) are
// strings on the wire, as on the real service.

/** The object fields a client may set (upload metadata, PATCH, rewrite destination). */
export interface WritableFields {
  contentType?: string;
  cacheControl?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  metadata?: Record<string, string>;
  /** Taken on insert and rewrite (GCS changes a class only by a rewrite; this server's PATCH takes it too). */
  storageClass?: string;
}

export const WRITABLE_FIELDS = ['contentType', 'cacheControl', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'storageClass'] as const;

/** The storage classes GCS takes (the last three are legacy names it still accepts). */
export const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE', 'MULTI_REGIONAL', 'REGIONAL', 'DURABLE_REDUCED_AVAILABILITY'];
/** The shape of a Cloud KMS key name; GCS also checks that the key exists and may be used, which this server cannot. */
const KMS_KEY_NAME = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

export interface StoredObject extends WritableFields {
  bucket: string;
  name: string;
  generation: number;
  metageneration: number;
  size: number;
  /** base64, absent for composite objects (as on GCS). */
  md5Hash?: string;
  /** base64 of the big-endian CRC32C. */
  crc32c: string;
  /** Set for objects made by compose. */
  componentCount?: number;
  /** A noncurrent generation (bucket versioning): when it stopped being the live one. */
  timeDeleted?: Date;
  /** The Cloud KMS key the upload or rewrite named (`kmsKeyName`, `destinationKmsKeyName`); nothing is encrypted here. */
  kmsKeyName?: string;
  timeCreated: Date;
  updated: Date;
  /** Where the bytes live on disk. */
  file: string;
}

export interface StoredBucket {
  name: string;
  timeCreated: Date;
  /** Object versioning (`versioning.enabled`): replaced and deleted generations stay, noncurrent. */
  versioning?: boolean;
}

export function objectResource(o: StoredObject, baseUrl: string): Record<string, unknown> {
  const path = `b/${encodeURIComponent(o.bucket)}/o/${encodeURIComponent(o.name)}`;
  const resource: Record<string, unknown> = {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: String(o.generation),
    metageneration: String(o.metageneration),
    contentType: o.contentType ?? 'application/octet-stream',
    storageClass: 'STANDARD',
    size: String(o.size),
    crc32c: o.crc32c,
    etag: objectEtag(o.generation, o.metageneration),
    timeCreated: o.timeCreated.toISOString(),
    updated: o.updated.toISOString(),
    timeStorageClassUpdated: o.timeCreated.toISOString(),
  };
  if (o.md5Hash !== undefined) resource.md5Hash = o.md5Hash;
  if (o.componentCount !== undefined) resource.componentCount = o.componentCount;
  if (o.timeDeleted !== undefined) resource.timeDeleted = o.timeDeleted.toISOString();
  // GCS answers the key version that encrypted the object.
  if (o.kmsKeyName !== undefined) resource.kmsKeyName = `${o.kmsKeyName}/cryptoKeyVersions/1`;
  for (const field of WRITABLE_FIELDS) {
    if (field !== 'contentType' && o[field] !== undefined) resource[field] = o[field];
  }
  if (o.metadata && Object.keys(o.metadata).length > 0) resource.metadata = o.metadata;
  return resource;
}

export function bucketResource(b: StoredBucket, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    id: b.name,
    selfLink: `${baseUrl}/storage/v1/b/${encodeURIComponent(b.name)}`,
    projectNumber: '123456789012',
    name: b.name,
    timeCreated: b.timeCreated.toISOString(),
    updated: b.timeCreated.toISOString(),
    metageneration: '1',
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    // GCS leaves the field out for a bucket that never had versioning.
    ...(b.versioning ? { versioning: { enabled: true } } : {}),
  };
}

/**
 * The object etag as GCS builds it: base64 of a protobuf message {1: generation, 2: metageneration}
 * (e.g. "CJ+M1pXE6OkCEAE="), so it changes on metadata updates too.
 */
export function objectEtag(generation: number, metageneration: number): string {
  return Buffer.concat([Buffer.from([0x08]), varint(generation), Buffer.from([0x10]), varint(metageneration)]).toString('base64');
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = BigInt(value);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Buffer.from(bytes);
}

/**
 * The Cloud KMS key an insert (`kmsKeyName`) or a rewrite (`destinationKmsKeyName`) names, checked
 * for its shape only; undefined for none.
 */
export function kmsKeyNameOf(query: URLSearchParams): string | undefined {
  const name = query.get('kmsKeyName') ?? query.get('destinationKmsKeyName') ?? undefined;
  if (name !== undefined && !KMS_KEY_NAME.test(name)) throw errors.invalid(`Invalid argument: KMS key name ${name}`);
  return name;
}

/** An error answered as GCS does: `{"error":{"code","message","errors":[{message,domain,reason}]}}`. */
export class GcsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: number; message: string; errors: { message: string; domain: string; reason: string }[] } } {
    return { error: { code: this.status, message: this.message, errors: [{ message: this.message, domain: 'global', reason: this.reason }] } };
  }
}

export const errors = {
  noSuchObject: (bucket: string, name: string) => new GcsHttpError(404, 'notFound', `No such object: ${bucket}/${name}`),
  noSuchBucket: () => new GcsHttpError(404, 'notFound', 'The specified bucket does not exist.'),
  invalidBucketName: (bucket: string) => new GcsHttpError(400, 'invalid', `Invalid bucket name: '${bucket}'`),
  preconditionFailed: () => new GcsHttpError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.'),
  notModified: () => new GcsHttpError(304, 'notModified', 'Not Modified'),
  invalid: (message: string) => new GcsHttpError(400, 'invalid', message),
  required: (what: string) => new GcsHttpError(400, 'required', `Required: ${what}`),
  notFound: () => new GcsHttpError(404, 'notFound', 'Not Found'),
};

/** The writable fields of a resource a client sent; read-only and unknown fields are ignored. */
export function writableFields(resource: Record<string, unknown>): WritableFields {
  const fields: WritableFields = {};
  for (const field of WRITABLE_FIELDS) {
    const value = resource[field];
    if (typeof value === 'string') fields[field] = value;
  }
  if (fields.storageClass !== undefined && !STORAGE_CLASSES.includes(fields.storageClass)) throw errors.invalid(`Invalid argument: storage class ${fields.storageClass}`);
  const metadata = resource.metadata;
  if (typeof metadata === 'object' && metadata !== null) {
    const entries = Object.entries(metadata).filter(([, v]) => v !== null && v !== undefined);
    if (entries.length > 0) fields.metadata = Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  }
  return fields;
}
