// Hand-off of a huge one-off copy to a cloud's own transfer service: the requests that would make
// Google Storage Transfer Service (→ GCS) or AWS DataSync (→ S3) copy a mapping's objects, so the
// bytes move inside the clouds, and what happens to the mapping afterwards (docs/scale-out.md).
// Only the plan is made here, from public settings (no secret is read: credentials are placeholders
// the user fills in); calling the services needs their credentials and cannot be tested here.
import type { Connection, Mapping } from './model';
import { connectionStringParts } from './providers/azure';

export type HandoffService = 'google-storage-transfer' | 'aws-datasync';

/** One request of the plan, in the order to make them. */
export interface HandoffCall {
  /** What the request is for, in words. */
  step: string;
  method: 'GET' | 'POST';
  url: string;
  /** DataSync's JSON 1.1 protocol names the action in this header (X-Amz-Target). */
  target?: string;
  body?: unknown;
}

export interface HandoffPlan {
  service: HandoffService;
  mapping: string;
  calls: HandoffCall[];
  /** Every `<…>` in the calls: what to put there. */
  placeholders: Record<string, string>;
  /** What to do once the service reports success. */
  afterwards: string[];
}

/** The mapping cannot be handed off as it is: `field` names the setting that stops it. */
export class HandoffError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

const STS = 'https://storagetransfer.googleapis.com/v1';

/**
 * The plan for `mapping`, whose source and target connections are given. Refuses (HandoffError) what
 * a service would copy differently from the mapping: filters, prefixes that are not folders, a target
 * no service writes to, a source the service cannot reach.
 */
export function handoffPlan(mapping: Mapping, source: Connection, target: Connection): HandoffPlan {
  checkExpressible(mapping);
  if (target.type === 'gcs') return googleTransfer(mapping, source, target);
  if (target.type === 'aws' && !target.aws.endpoint?.trim()) return dataSync(mapping, source, target);
  throw new HandoffError(
    'targetConnectionId',
    `no cloud transfer service writes to ${describe(target)}: Google Storage Transfer Service writes to GCS and AWS DataSync to Amazon S3; sync this mapping with cloud-data-sync (a server-side or copy-from-URL route applies where one exists)`,
  );
}

/** The services copy folders with no filters: a mapping that says more would be copied wrongly. */
function checkExpressible(mapping: Mapping): void {
  for (const field of ['include', 'exclude', 'includeRegex', 'excludeRegex'] as const) {
    if ((mapping[field]?.length ?? 0) > 0) {
      throw new HandoffError(field, `the mapping's ${field} filter cannot be given to a transfer service as it is (the services filter by prefix only): the service would copy objects the mapping excludes`);
    }
  }
  for (const field of ['minSize', 'maxSize', 'minAge', 'maxAge'] as const) {
    if (mapping[field] != null) throw new HandoffError(field, `the mapping's ${field} filter has no equal in the transfer services: the service would copy objects the mapping excludes`);
  }
  for (const field of ['sourcePrefix', 'targetPrefix'] as const) {
    const prefix = mapping[field];
    if (prefix !== '' && !prefix.endsWith('/')) {
      throw new HandoffError(field, `${field} "${prefix}" is not a folder: the services map folder to folder, so a prefix must be empty or end with "/"`);
    }
  }
}

function googleTransfer(mapping: Mapping, source: Connection, target: Extract<Connection, { type: 'gcs' }>): HandoffPlan {
  const projectId = target.gcs.projectId?.trim() || '<PROJECT_ID>';
  const placeholders: Record<string, string> = {};
  if (projectId === '<PROJECT_ID>') placeholders['<PROJECT_ID>'] = 'the Google Cloud project that runs the transfer job (the target connection names none)';
  let dataSource: Record<string, unknown>;
  switch (source.type) {
    case 'aws':
      if (source.aws.endpoint?.trim()) throw unreachable(source, 'Storage Transfer Service reads S3-compatible services other than Amazon S3 only through transfer agents you run');
      dataSource = { awsS3DataSource: { bucketName: mapping.sourceBucket, path: mapping.sourcePrefix, roleArn: '<AWS_ROLE_ARN>' } };
      placeholders['<AWS_ROLE_ARN>'] = "an IAM role Storage Transfer Service may assume (its trust policy names the service's Google account from step 1), allowed s3:ListBucket and s3:GetObject on the source bucket";
      break;
    case 'azure':
      dataSource = { azureBlobStorageDataSource: { storageAccount: azureAccount(source), container: mapping.sourceBucket, path: mapping.sourcePrefix, azureCredentials: { sasToken: '<AZURE_SAS_TOKEN>' } } };
      placeholders['<AZURE_SAS_TOKEN>'] = 'a SAS token for the source container with read and list permissions, valid for the whole transfer';
      break;
    case 'gcs':
      dataSource = { gcsDataSource: { bucketName: mapping.sourceBucket, path: mapping.sourcePrefix } };
      break;
    default:
      throw unreachable(source, 'Storage Transfer Service reads Amazon S3, Azure Blob Storage and GCS without agents');
  }
  const jobName = '<JOB_NAME>';
  placeholders[jobName] = 'the `name` the create call answered (transferJobs/…)';
  return {
    service: 'google-storage-transfer',
    mapping: mapping.name,
    calls: [
      { step: "find the service's Google account, to allow it into the source (AWS role trust) and the target bucket (roles/storage.admin on it)", method: 'GET', url: `${STS}/googleServiceAccounts/${projectId}` },
      {
        step: 'create the job: one run, on demand, never deleting (deletions stay with cloud-data-sync and its guards)',
        method: 'POST',
        url: `${STS}/transferJobs`,
        body: {
          description: `cloud-data-sync hand-off of mapping "${mapping.name}"`,
          projectId,
          status: 'ENABLED',
          transferSpec: {
            ...dataSource,
            gcsDataSink: { bucketName: mapping.targetBucket, path: mapping.targetPrefix },
            transferOptions: { overwriteWhen: 'DIFFERENT', deleteObjectsUniqueInSink: false, deleteObjectsFromSourceAfterTransfer: false },
          },
        },
      },
      { step: 'start it', method: 'POST', url: `${STS}/${jobName}:run`, body: { projectId } },
      {
        step: 'follow it until an operation is done: metadata.status SUCCESS, metadata.counters (objectsCopiedToSink, bytesCopiedToSink, objectsFromSourceFailed)',
        method: 'GET',
        url: `${STS}/transferOperations?filter=${encodeURIComponent(JSON.stringify({ projectId, jobNames: [jobName] }))}`,
      },
    ],
    placeholders,
    afterwards: afterwards(mapping),
  };
}

function dataSync(mapping: Mapping, source: Connection, target: Extract<Connection, { type: 'aws' }>): HandoffPlan {
  const region = target.aws.region?.trim() || 'us-east-1';
  const url = `https://datasync.${region}.amazonaws.com/`;
  const placeholders: Record<string, string> = {
    '<S3_ACCESS_ROLE_ARN>': 'an IAM role DataSync may assume (trust: datasync.amazonaws.com) with write access to the bucket (s3:PutObject, s3:ListBucket, s3:GetObject, multipart actions)',
    '<SOURCE_LOCATION_ARN>': 'the LocationArn the first call answered',
    '<DESTINATION_LOCATION_ARN>': 'the LocationArn the second call answered',
    '<TASK_ARN>': 'the TaskArn CreateTask answered',
    '<TASK_EXECUTION_ARN>': 'the TaskExecutionArn StartTaskExecution answered',
  };
  const folder = (prefix: string) => `/${prefix}`;
  let sourceCall: HandoffCall;
  switch (source.type) {
    case 'aws':
      if (source.aws.endpoint?.trim()) throw unreachable(source, 'DataSync reads other S3-compatible services through an agent you run; not planned here');
      sourceCall = {
        step: 'the source location',
        method: 'POST',
        url,
        target: 'FmrsService.CreateLocationS3',
        body: { S3BucketArn: `arn:aws:s3:::${mapping.sourceBucket}`, Subdirectory: folder(mapping.sourcePrefix), S3Config: { BucketAccessRoleArn: '<S3_ACCESS_ROLE_ARN>' } },
      };
      break;
    case 'azure':
      sourceCall = {
        step: 'the source location (agentless in Enhanced mode; add AgentArns where your Region needs an agent)',
        method: 'POST',
        url,
        target: 'FmrsService.CreateLocationAzureBlob',
        body: { ContainerUrl: `https://${azureAccount(source)}.blob.core.windows.net/${mapping.sourceBucket}`, AuthenticationType: 'SAS', SasConfiguration: { Token: '<AZURE_SAS_TOKEN>' }, Subdirectory: folder(mapping.sourcePrefix) },
      };
      placeholders['<AZURE_SAS_TOKEN>'] = 'a SAS token for the source container with read and list permissions, valid for the whole transfer';
      break;
    case 'gcs':
      sourceCall = {
        step: 'the source location: GCS through its S3-compatible XML API, with an HMAC key (DataSync runs it through an agent)',
        method: 'POST',
        url,
        target: 'FmrsService.CreateLocationObjectStorage',
        body: { ServerHostname: 'storage.googleapis.com', ServerProtocol: 'HTTPS', BucketName: mapping.sourceBucket, Subdirectory: folder(mapping.sourcePrefix), AccessKey: '<GCS_HMAC_ACCESS_ID>', SecretKey: '<GCS_HMAC_SECRET>', AgentArns: ['<AGENT_ARN>'] },
      };
      placeholders['<GCS_HMAC_ACCESS_ID>'] = 'an HMAC key of a service account that may read the source bucket (Cloud Storage → Settings → Interoperability)';
      placeholders['<GCS_HMAC_SECRET>'] = "that HMAC key's secret";
      placeholders['<AGENT_ARN>'] = 'a DataSync agent that can reach storage.googleapis.com';
      break;
    default:
      throw unreachable(source, 'DataSync reads Amazon S3, Azure Blob Storage and S3-compatible services in the clouds');
  }
  return {
    service: 'aws-datasync',
    mapping: mapping.name,
    calls: [
      sourceCall,
      {
        step: 'the destination location',
        method: 'POST',
        url,
        target: 'FmrsService.CreateLocationS3',
        body: {
          S3BucketArn: `arn:aws:s3:::${mapping.targetBucket}`,
          Subdirectory: folder(mapping.targetPrefix),
          S3Config: { BucketAccessRoleArn: '<S3_ACCESS_ROLE_ARN>' },
          ...(mapping.targetStorageClass ? { S3StorageClass: mapping.targetStorageClass } : {}),
        },
      },
      {
        step: 'the task: copy what changed, verify what it copied, never delete (deletions stay with cloud-data-sync and its guards)',
        method: 'POST',
        url,
        target: 'FmrsService.CreateTask',
        body: {
          Name: `cloud-data-sync ${mapping.name}`.slice(0, 256),
          SourceLocationArn: '<SOURCE_LOCATION_ARN>',
          DestinationLocationArn: '<DESTINATION_LOCATION_ARN>',
          TaskMode: 'ENHANCED',
          Options: { TransferMode: 'CHANGED', VerifyMode: 'ONLY_FILES_TRANSFERRED', OverwriteMode: 'ALWAYS', PreserveDeletedFiles: 'PRESERVE', ObjectTags: 'PRESERVE' },
        },
      },
      { step: 'start it', method: 'POST', url, target: 'FmrsService.StartTaskExecution', body: { TaskArn: '<TASK_ARN>' } },
      { step: 'follow it until Status is SUCCESS (FilesTransferred, BytesTransferred, FilesVerified) or ERROR', method: 'POST', url, target: 'FmrsService.DescribeTaskExecution', body: { TaskExecutionArn: '<TASK_EXECUTION_ARN>' } },
    ],
    placeholders,
    afterwards: afterwards(mapping),
  };
}

function afterwards(mapping: Mapping): string[] {
  return [
    `When the service reports success, run the mapping once ("${mapping.name}": Sync now, or cloud-data-sync --once). Objects whose MD5 both sides report the same are adopted: recorded as in sync, not copied again.`,
    'Objects without an MD5 on one side (S3 multipart uploads, Azure blobs uploaded in blocks without Content-MD5, GCS composite objects) cannot be compared without reading them, so that run copies them again.',
    `Deletions are left to that run, under the mapping's delete mode (${mapping.deleteMode}) and its maxDelete guard: the service was told never to delete.`,
  ];
}

/** The account a transfer service reaches: only the public *.blob.core.windows.net endpoint. */
function azureAccount(source: Extract<Connection, { type: 'azure' }>): string {
  const settings = source.azure;
  const parts = connectionStringParts(settings.connectionString);
  const custom = settings.endpointUrl?.trim() || parts.get('blobendpoint') || (parts.get('usedevelopmentstorage') === 'true' ? 'development storage' : '');
  if (custom || (parts.get('endpointsuffix') ?? 'core.windows.net') !== 'core.windows.net') {
    throw unreachable(source, 'the transfer services reach Azure accounts at *.blob.core.windows.net only');
  }
  const account = parts.get('accountname') ?? settings.accountName?.trim();
  if (!account) throw new HandoffError('sourceConnectionId', `connection "${source.name}" names no storage account`);
  return account;
}

function unreachable(source: Connection, why: string): HandoffError {
  return new HandoffError('sourceConnectionId', `the source, ${describe(source)}, cannot be read by the transfer service: ${why}`);
}

function describe(connection: Connection): string {
  return `connection "${connection.name}" (${connection.type})`;
}
