/**
 * The k best (highest probability, then lowest user_id) of a stream of scored users, in O(k) memory (2k rows).
 *
 * Users are appended to typed-array columns; when the buffer holds 2k users it is pruned to its k best, and from
 * then on a user below the k-th best probability kept is refused at once (one float comparison). The ranking is
 * rank-order.ts (a radix sort of positions by probability; user ids compared only within equal probabilities),
 * so no loop builds an object per user and the hot ones touch no BigInt (docs/decisions/top-buyer-candidates.md,
 * "Speed": it replaced a binary heap whose every comparison read BigInt ids).
 */
import { rankOrder } from './rank-order';

export interface RankedUser {
  userId: bigint;
  probability: number;
}

/** Ranked users as columns, best first (what the Parquet writers take). */
export interface RankedColumns {
  userIds: BigInt64Array;
  probabilities: Float64Array;
}

/** Ranked columns as one object per user (an object per user costs ~40 ms per 200,000: small lists and tests). */
export function rankedUsers({ userIds, probabilities }: RankedColumns): RankedUser[] {
  return Array.from(probabilities, (probability, i) => ({ userId: userIds[i], probability }));
}

/** True when a ranks before b: higher probability first, ties broken by the smaller user_id. */
export function ranksBefore(aP: number, aId: bigint, bP: number, bId: bigint): boolean {
  return aP > bP || (aP === bP && aId < bId);
}

/** The first buffer's length; it doubles up to 2 × capacity. */
const FIRST_BUFFER = 4_096;

export class TopK {
  private probs = new Float64Array(0);
  private ids = new BigInt64Array(0);
  private size = 0;
  /** The k-th best probability after the last prune: a user below it can never be among the k best. */
  private floor = -Infinity;

  constructor(readonly capacity: number) {}

  offer(userId: bigint, probability: number): void {
    if (this.capacity === 0 || probability < this.floor) return;
    if (this.size === this.probs.length) this.makeRoom();
    this.probs[this.size] = probability;
    this.ids[this.size++] = userId;
  }

  /** Offers every row of the columns whose probability is at least minProbability. */
  offerColumns(userIds: ArrayLike<bigint>, probabilities: ArrayLike<number>, minProbability: number): void {
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i];
      if (p >= minProbability && p >= this.floor) this.offer(userIds[i], p);
    }
  }

  /** The users kept, best first, as columns. */
  columns(): RankedColumns {
    const order = this.bestOrder();
    const userIds = new BigInt64Array(order.length);
    const probabilities = new Float64Array(order.length);
    for (let k = 0; k < order.length; k++) {
      userIds[k] = this.ids[order[k]];
      probabilities[k] = this.probs[order[k]];
    }
    return { userIds, probabilities };
  }

  /** The users kept, best first. */
  ranked(): RankedUser[] {
    return rankedUsers(this.columns());
  }

  /** Called with the buffer full: grows it, or once it holds 2 × capacity users, keeps its best capacity and raises the floor. */
  private makeRoom(): void {
    const full = 2 * this.capacity;
    const length = Math.min(full, Math.max(FIRST_BUFFER, 2 * this.probs.length));
    const probs = new Float64Array(length);
    const ids = new BigInt64Array(length);
    if (this.probs.length < full) {
      probs.set(this.probs);
      ids.set(this.ids);
    } else {
      const order = this.bestOrder();
      order.forEach((from, k) => {
        probs[k] = this.probs[from];
        ids[k] = this.ids[from];
      });
      this.size = order.length;
      this.floor = probs[this.size - 1];
    }
    this.probs = probs;
    this.ids = ids;
  }

  /** Buffer positions of the best min(size, capacity) users, best first. */
  private bestOrder(): Uint32Array {
    const { probs, ids, size, capacity } = this;
    // Only users at or above the capacity-th best probability can be kept: a native sort of a copy of the
    // probabilities finds it; rankOrder then orders those (ties included) and the first capacity are kept.
    let threshold = -Infinity;
    if (size > capacity) threshold = probs.slice(0, size).sort()[size - capacity];
    let n = 0;
    const positions = new Uint32Array(size);
    for (let i = 0; i < size; i++) if (probs[i] >= threshold) positions[n++] = i;
    return rankOrder(positions.subarray(0, n), probs, ids).subarray(0, capacity);
  }
}
