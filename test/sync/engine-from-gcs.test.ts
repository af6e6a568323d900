import { ENDPOINT_KINDS } from '../support/endpoints';
import { describeEnginePairs } from './engine-scenarios';

describeEnginePairs('gcs', ENDPOINT_KINDS);
