// Run-time checks of each command's arguments: whatever arrives over IPC or the WebSocket is
// `unknown` until it passes its schema (shared/contract-args.ts, the one the contract's types are
// inferred from). Each validator returns the arguments in the contract's type or throws an
// InvalidArgument ApiFailure naming the field path ("input.name", "maxDelete.value"); unknown keys
// are refused (a typo is not silently ignored).
//
// ConnectionInput and MappingInput are checked here only as far as their shape; their contents are
// checked by the handlers with shared/config/'s rules (the same as for config.json), because
// those need the store: the connections that exist, and stored secrets an edit leaves out.
import * as v from 'valibot';
import { COMMAND_NAMES, type CommandArgs, type CommandName } from '../../shared/contract';
import { COMMAND_ARGS } from '../../shared/contract-args';
import { ApiFailure, invalidArgument } from './errors';

// The handlers take the default page sizes from here.
export { PAGE_LIMITS } from '../../shared/contract-args';

type ArgValidators = { [N in CommandName]: (raw: unknown) => CommandArgs<N> };

export const ARG_VALIDATORS = Object.fromEntries(COMMAND_NAMES.map((name) => [name, validatorOf(name)])) as ArgValidators;

function validatorOf<N extends CommandName>(name: N): (raw: unknown) => CommandArgs<N> {
  const schema: v.GenericSchema<unknown, CommandArgs<N>> = COMMAND_ARGS[name];
  return (raw) => {
    // The first problem only, as the handlers' own refusals: one field for the form to point at.
    const result = v.safeParse(schema, raw, { abortEarly: true });
    if (result.success) return result.output;
    throw failureOf(result.issues[0]);
  };
}

function failureOf(issue: v.BaseIssue<unknown>): ApiFailure {
  const field = v.getDotPath(issue);
  // No path: the arguments themselves are wrong (not an object).
  return field ? invalidArgument(field, issue.message) : new ApiFailure('InvalidArgument', `arguments ${issue.message}`);
}
