// In-process fan-out of contract events: the API and the sync engine emit, transports (the
// WebSocket hub here, IPC in the desktop app) subscribe. Typed by the contract's event map.
import type { EventName, Events } from '../../shared/contract';
import { Watchers } from '../lib/watchers';

export type EventSink = (event: EventName, payload: Events[EventName]) => void;

export class EventBus {
  private readonly sinks = new Watchers<Parameters<EventSink>>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.sinks.notify(event, payload);
  }

  subscribe(sink: EventSink): () => void {
    return this.sinks.add(sink);
  }
}
