// In-process fan-out of contract events: the API and the sync engine emit, transports (the
// WebSocket hub here, IPC in the desktop app) subscribe. Typed by the contract's event map.
import type { EventName, Events } from '../../shared/contract';

export type EventSink = (event: EventName, payload: Events[EventName]) => void;

export class EventBus {
  private readonly sinks = new Set<EventSink>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const sink of [...this.sinks]) {
      try {
        sink(event, payload);
      } catch {
        // One broken subscriber must not stop the others, nor the run that emitted the event.
      }
    }
  }

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}
