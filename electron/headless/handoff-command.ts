// `cloud-data-sync handoff --mapping NAME`: prints the plan (shared/handoff.ts) that hands a mapping's
// huge one-off copy to Google Storage Transfer Service or AWS DataSync. It calls no service: the user
// reviews the requests, fills in the placeholders (credentials never come from here) and makes them.
import { handoffPlan, HandoffError } from '../../shared/handoff';
import type { ConsoleLog } from './console-log';
import { EXIT } from './exit-codes';
import type { HandoffArgs } from './args';
import { readConfig } from './sync-command';

export async function handoff(args: HandoffArgs, log: ConsoleLog): Promise<number> {
  const config = await readConfig(args.configPath, log);
  if (!config) return EXIT.usage;
  const mapping = config.mappings.find((m) => m.name === args.mapping) ?? config.mappings.find((m) => m.id === args.mapping);
  if (!mapping) {
    const names = config.mappings.map((m) => `"${m.name}"`).join(', ') || 'none';
    log.error(`--mapping: no mapping named "${args.mapping}" in ${args.configPath} (its mappings: ${names})`);
    return EXIT.usage;
  }
  const connection = (id: string) => config.connections.find((c) => c.id === id)!;
  try {
    const plan = handoffPlan(mapping, connection(mapping.sourceConnectionId), connection(mapping.targetConnectionId));
    log.result(JSON.stringify(plan, null, 2));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof HandoffError)) throw err;
    log.error(`mapping "${mapping.name}" cannot be handed off (${err.field}): ${err.message}`);
    return EXIT.usage;
  }
}
