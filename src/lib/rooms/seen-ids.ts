// A broadcast to several rooms reaches an instance once per room it holds,
// within moments of each other; its id is kept long enough for the repeats.
const KEEP_MS = 30_000;
const MAX_IDS = 50_000;

/** The ids of the broadcasts seen lately, in the order they came. */
export class SeenIds {
  private readonly seenAt = new Map<string, number>();

  /** Records an id; false if it was seen already. */
  add(id: string): boolean {
    if (this.seenAt.has(id)) {
      return false;
    }
    const now = Date.now();
    // Oldest first: stop at the first one still kept.
    for (const [old, at] of this.seenAt) {
      if (at > now - KEEP_MS && this.seenAt.size < MAX_IDS) {
        break;
      }
      this.seenAt.delete(old);
    }
    this.seenAt.set(id, now);
    return true;
  }
}
