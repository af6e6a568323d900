// The contract over a WebSocket: text frames of JSON.
//   client → server  { id, name, args }       one command call; id chosen by the client
//   server → client  { id, envelope }         its reply (id null when the frame could not be read)
//   server → client  { event, payload }       an event, sent to every authenticated socket
// shared/socket-client.ts speaks the other side; its tests run it against this server.
import type { ApiError, Envelope } from '../../shared/contract';
import { MAX_MESSAGE_BYTES } from '../../shared/socket-client';

/** Largest frame answered normally (the clients refuse larger calls themselves); larger ones (up to MAX_FRAME_BYTES) get an error reply. */
export { MAX_MESSAGE_BYTES };
/** Larger frames are not even buffered: the socket is closed (1009). */
export const MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES;
const MAX_ID_LENGTH = 64;

export type RequestId = number | string;

export interface WireRequest {
  id: RequestId;
  name: unknown;
  args: unknown;
}

export interface WireReply {
  id: RequestId | null;
  envelope: Envelope<unknown>;
}

export interface WireEvent {
  event: string;
  payload: unknown;
}

export type ParsedFrame = { ok: true; request: WireRequest } | { ok: false; reply: WireReply };

export function errorEnvelope(code: ApiError['code'], message: string, retryable = false): Envelope<never> {
  return { ok: false, error: { code, message, retryable } };
}

/** Reads one text frame. Never throws: anything malformed becomes an error reply. */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid(null, 'the message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(null, 'the message must be a JSON object { id, name, args }');
  const { id, name, args } = value as Record<string, unknown>;
  if (!isRequestId(id)) return invalid(null, `"id" must be a whole number or a string of at most ${MAX_ID_LENGTH} characters`);
  // The name is checked by the dispatcher against the contract, like any other argument.
  return { ok: true, request: { id, name, args } };
}

function isRequestId(id: unknown): id is RequestId {
  return (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH);
}

function invalid(id: RequestId | null, message: string): ParsedFrame {
  return { ok: false, reply: { id, envelope: errorEnvelope('InvalidArgument', message) } };
}
