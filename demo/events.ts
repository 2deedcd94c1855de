/**
 * Synthetic clickstream in the public "eCommerce behavior data from multi category store" CSV format, for
 * `batch-score generate --events`: the demo's path from raw events to features needs events whose past predicts
 * their future. Each user has a hidden propensity z ~ N(0, 1) that raises BOTH how often they come (sessions, a
 * Poisson process over the whole date range) and how likely a view turns into a cart and a purchase; so events
 * before a date D predict "purchased in [D, D+7)" without deciding it.
 *
 * Streamed user by user (a user's events sorted by time; the file as a whole is NOT in time order) through
 * gzip when the name ends in .gz, so memory does not grow with the number of users. Same seed, same bytes.
 * The product catalog is drawn from the seed up front: 20,000 products, a few hundred categories (30% without a
 * category_code), brands (15% of products without one), log-normal prices per category.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { EVENT_HEADER } from '../events';
import { Random } from './random';

/** Covers the demo's dates: 30 days of history before 2026-11-09, and labels through 2026-11-29. */
export const DEFAULT_EVENTS_FROM = '2026-10-01';
export const DEFAULT_EVENTS_TO = '2026-11-29';

export interface GenerateEventsOptions {
  /** The CSV file written (.csv, or .csv.gz compressed). */
  out: string;
  users: number;
  seed: number;
  /** First and last day of events, YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  /** Called with the users written so far (every 10,000 and at the end). */
  progress?: (users: number) => void;
}

export interface GeneratedEvents {
  users: number;
  events: number;
  views: number;
  carts: number;
  purchases: number;
}

const PRODUCTS = 20_000;
const CATEGORIES = 300;
const DAY_MS = 86_400_000;
/** Sessions per user per day at z = 0, before the user's own noise: about 14 events a user over 60 days. */
const SESSION_RATE = 0.03;
const PURCHASE_AFTER_CART = 0.8;
const CODES = [
  'electronics.smartphone', 'electronics.audio.headphone', 'electronics.video.tv', 'electronics.clocks', 'computers.notebook',
  'computers.desktop', 'computers.peripherals.mouse', 'appliances.kitchen.refrigerators', 'appliances.kitchen.washer',
  'appliances.environment.vacuum', 'appliances.kitchen.kettle', 'furniture.living_room.sofa', 'furniture.bedroom.bed',
  'apparel.shoes', 'apparel.shoes.keds', 'apparel.costume', 'auto.accessories.player', 'construction.tools.drill',
  'kids.toys', 'sport.bicycle', 'accessories.bag', 'country_yard.cultivator', 'medicine.tools.tonometer', 'stationery.cartrige',
];
const BRANDS = [
  'samsung', 'apple', 'xiaomi', 'huawei', 'lucente', 'bosch', 'lg', 'sony', 'oppo', 'acer', 'lenovo', 'hp', 'asus', 'artel',
  'indesit', 'respect', 'elenberg', 'philips', 'haier', 'casio', 'cordiant', 'nokian', 'redmond', 'tefal', 'polaris', 'vitek',
  'janome', 'midea', 'canon', 'nikon', 'garmin', 'jbl', 'pioneer', 'karcher', 'makita', 'dewalt', 'lego', 'mattel', 'stels', 'nike',
];

interface Catalog {
  categoryId: bigint[];
  categoryCode: string[];
  /** Per product: category index, brand ('' when missing), price. */
  category: Uint16Array;
  brand: string[];
  price: Float64Array;
}

function catalog(rng: Random): Catalog {
  const categoryId: bigint[] = [];
  const categoryCode: string[] = [];
  const basePrice = new Float64Array(CATEGORIES);
  for (let c = 0; c < CATEGORIES; c++) {
    categoryId.push(2053013552226107603n + BigInt(c) * 7_919_113_271n + BigInt(Math.floor(rng.uniform() * 1e6)));
    categoryCode.push(rng.uniform() < 0.3 ? '' : CODES[Math.floor(rng.uniform() * CODES.length)]);
    basePrice[c] = rng.logNormal(Math.log(80), 1.1);
  }
  const category = new Uint16Array(PRODUCTS);
  const brand: string[] = [];
  const price = new Float64Array(PRODUCTS);
  for (let p = 0; p < PRODUCTS; p++) {
    category[p] = Math.floor(rng.uniform() * CATEGORIES);
    brand.push(rng.uniform() < 0.15 ? '' : BRANDS[Math.floor(rng.uniform() * BRANDS.length)]);
    price[p] = Math.max(0.77, Math.round(basePrice[category[p]] * rng.logNormal(0, 0.35) * 100) / 100);
  }
  return { categoryId, categoryCode, category, brand, price };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function uuid(rng: Random): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += Math.floor(rng.uniform() * 4294967296).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16], 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function eventTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function dayStart(date: string, what: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms)) throw new Error(`${what} ${date} is not YYYY-MM-DD`);
  return ms;
}

/** Writes the events CSV and returns what it holds. */
export async function generateEvents(opts: GenerateEventsOptions): Promise<GeneratedEvents> {
  if (!Number.isInteger(opts.users) || opts.users < 1) throw new Error(`users must be a positive integer, got ${opts.users}`);
  const start = dayStart(opts.from ?? DEFAULT_EVENTS_FROM, 'from');
  const end = dayStart(opts.to ?? DEFAULT_EVENTS_TO, 'to') + DAY_MS;
  if (end <= start) throw new Error(`the range ${opts.from ?? DEFAULT_EVENTS_FROM} .. ${opts.to ?? DEFAULT_EVENTS_TO} is empty`);
  const days = (end - start) / DAY_MS;
  const rng = new Random(opts.seed);
  const cat = catalog(rng);
  const totals: GeneratedEvents = { users: 0, events: 0, views: 0, carts: 0, purchases: 0 };

  function* lines(): Generator<string> {
    yield `${EVENT_HEADER}\n`;
    let chunk = '';
    const events: [number, string][] = [];
    for (let u = 1; u <= opts.users; u++) {
      const z = rng.normal();
      const sessions = 1 + rng.poisson(SESSION_RATE * days * Math.exp(-0.25 + 0.9 * z + 0.5 * rng.normal()));
      const cartRate = sigmoid(-4.72 + 0.8 * z + 0.3 * rng.normal());
      events.length = 0;
      for (let s = 0; s < sessions; s++) {
        const session = rng.uniform() < 0.002 ? '' : uuid(rng);
        let t = start + Math.floor(rng.uniform() * (end - start));
        const views = 1 + rng.poisson(3);
        for (let v = 0; v < views && t < end; v++) {
          const p = Math.floor(PRODUCTS * rng.uniform() ** 2.5);
          const c = cat.category[p];
          const rest = `${p + 1000978},${cat.categoryId[c]},${cat.categoryCode[c]},${cat.brand[p]},${cat.price[p].toFixed(2)},${u},${session}\n`;
          events.push([t, `view,${rest}`]);
          if (rng.uniform() < cartRate) {
            t += 1000 + Math.floor(rng.exponential(60_000));
            if (t < end) events.push([t, `cart,${rest}`]);
            if (rng.uniform() < PURCHASE_AFTER_CART) {
              t += 1000 + Math.floor(rng.exponential(120_000));
              if (t < end) events.push([t, `purchase,${rest}`]);
            }
          }
          t += 1000 + Math.floor(rng.exponential(45_000));
        }
      }
      events.sort((a, b) => a[0] - b[0]);
      for (const [ms, rest] of events) {
        chunk += `${eventTime(ms)},${rest}`;
        if (rest.charCodeAt(0) === 118 /* v */) totals.views++;
        else if (rest.charCodeAt(0) === 99 /* c */) totals.carts++;
        else totals.purchases++;
      }
      totals.events += events.length;
      totals.users = u;
      if (u % 10_000 === 0) opts.progress?.(u);
      if (chunk.length >= 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
    opts.progress?.(opts.users);
  }

  const file = createWriteStream(opts.out);
  if (opts.out.endsWith('.gz')) await pipeline(Readable.from(lines()), createGzip(), file);
  else await pipeline(Readable.from(lines()), file);
  return totals;
}
