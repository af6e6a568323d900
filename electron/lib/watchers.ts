// Listeners of one kind, told in turn. One that throws is skipped: a watcher must not stop the
// others, nor the code that tells them (a run, an API call).
export class Watchers<Args extends unknown[]> {
  private readonly listeners = new Set<(...args: Args) => void>();

  /** Adds a listener; returns its removal. */
  add(listener: (...args: Args) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  /** Tells every listener (those added meanwhile wait for the next call); never throws. */
  notify(...args: Args): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(...args);
      } catch {
        // Skipped, as said above.
      }
    }
  }
}
