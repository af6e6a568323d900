import { ENDPOINT_KINDS } from '../support/endpoints';
import { describeEnginePairs } from './engine-scenarios';

describeEnginePairs('s3', ENDPOINT_KINDS);
