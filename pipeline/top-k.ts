/**
 * The k best (highest probability, then lowest user_id) of a stream of scored users, in O(k) memory:
 * a binary min-heap over typed arrays whose root is the worst user kept so far.
 */
export interface RankedUser {
  userId: bigint;
  probability: number;
}

/** True when a ranks before b: higher probability first, ties broken by the smaller user_id. */
export function ranksBefore(aP: number, aId: bigint, bP: number, bId: bigint): boolean {
  return aP > bP || (aP === bP && aId < bId);
}

export class TopK {
  private readonly probs: Float64Array;
  private readonly ids: BigInt64Array;
  private size = 0;

  constructor(readonly capacity: number) {
    this.probs = new Float64Array(capacity);
    this.ids = new BigInt64Array(capacity);
  }

  offer(userId: bigint, probability: number): void {
    if (this.capacity === 0) return;
    if (this.size < this.capacity) {
      this.probs[this.size] = probability;
      this.ids[this.size] = userId;
      this.siftUp(this.size++);
    } else if (ranksBefore(probability, userId, this.probs[0], this.ids[0])) {
      this.probs[0] = probability;
      this.ids[0] = userId;
      this.siftDown(0);
    }
  }

  /** The users kept, best first. */
  ranked(): RankedUser[] {
    const out: RankedUser[] = [];
    for (let i = 0; i < this.size; i++) out.push({ userId: this.ids[i], probability: this.probs[i] });
    return out.sort((a, b) => (ranksBefore(a.probability, a.userId, b.probability, b.userId) ? -1 : 1));
  }

  // The heap orders by "worse first": i is above j when i ranks after j.
  private worse(i: number, j: number): boolean {
    return ranksBefore(this.probs[j], this.ids[j], this.probs[i], this.ids[i]);
  }

  private swap(i: number, j: number): void {
    const p = this.probs[i]; this.probs[i] = this.probs[j]; this.probs[j] = p;
    const id = this.ids[i]; this.ids[i] = this.ids[j]; this.ids[j] = id;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < this.size && this.worse(l, worst)) worst = l;
      if (r < this.size && this.worse(r, worst)) worst = r;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }
}
