// moto's S3 server as the second S3 implementation: the engine scenarios from and to it.
import { describeEnginePairs } from './engine-scenarios';

describeEnginePairs('moto', ['local', 'moto', 's3', 'azure', 'gcs']);
describeEnginePairs('local', ['moto']);
