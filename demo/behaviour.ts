/**
 * Synthetic e-commerce behaviour, one user at a time: a hidden segment (browser 78%, engaged 18%, loyal 4%)
 * drives ten feature values, and a hidden logistic propensity on those values draws the label
 * "purchased in the next 7 days" (about 4% of users). Most users only view; a few buy.
 *
 * The propensity has diminishing returns: its logit is linear in log(1 + count), not in the count, so the most
 * active users are likely buyers (about 0.5% of users above 0.8) but never certain ones (the highest about
 * 0.97 among 100,000 users). A logit linear in raw counts gave the heaviest users a logit of 20 and more, and
 * the demo model, which recovered it faithfully, a top-buyer list of probability 1.000000.
 */
import { Random } from './random';

export const FEATURES = [
  { name: 'sessions_30d', type: 'integer' },
  { name: 'page_views_30d', type: 'integer' },
  { name: 'cart_adds_30d', type: 'integer' },
  { name: 'purchases_90d', type: 'integer' },
  { name: 'days_since_last_visit', type: 'integer' },
  { name: 'avg_session_minutes', type: 'double' },
  { name: 'email_opens_30d', type: 'integer' },
  { name: 'discount_usage_rate', type: 'double' },
  { name: 'wishlist_items', type: 'integer' },
  { name: 'account_age_days', type: 'integer' },
] as const;

export const FEATURE_NAMES: string[] = FEATURES.map((f) => f.name);

/**
 * Hidden truth: intercept and one weight per feature, in FEATURES order, on log(1 + value) for every feature
 * but discount_usage_rate (a rate in [0, 1], taken as is).
 */
const TRUE_INTERCEPT = -6.2;
const TRUE_WEIGHTS = [0.3, 0.2, 0.7, 0.9, -0.3, 0.2, 0.3, 0.8, 0.3, 0.1];
const TRUE_ON_LOG_SCALE = [true, true, true, true, true, true, true, false, true, true];

const SEGMENTS = [
  { share: 0.78, sessions: 1.2, pagesPerSession: 3, cartRate: 0.01, purchases: 0.05, minutes: 3, emails: 0.4, wishlist: 0.2 },
  { share: 0.18, sessions: 6, pagesPerSession: 5, cartRate: 0.04, purchases: 0.5, minutes: 6, emails: 2, wishlist: 1.5 },
  { share: 0.04, sessions: 14, pagesPerSession: 7, cartRate: 0.08, purchases: 2.5, minutes: 9, emails: 5, wishlist: 4 },
];

/** Fills `out` (length 10, FEATURES order) with one user's features and returns the user's label. */
export function drawUser(rng: Random, out: Float64Array): boolean {
  const u = rng.uniform();
  const seg = u < SEGMENTS[0].share ? SEGMENTS[0] : u < SEGMENTS[0].share + SEGMENTS[1].share ? SEGMENTS[1] : SEGMENTS[2];
  const activity = rng.logNormal(0, 0.6);
  const sessions = rng.poisson(seg.sessions * activity);
  const pageViews = sessions === 0 ? 0 : sessions + rng.poisson(sessions * (seg.pagesPerSession - 1));
  const cartAdds = rng.poisson(pageViews * seg.cartRate);
  const purchases = rng.poisson(seg.purchases);
  const daysSince =
    sessions > 0 ? Math.min(29, Math.floor(rng.exponential(30 / (sessions + 1)))) : Math.min(365, 30 + Math.floor(rng.exponential(60)));
  const minutes = sessions > 0 ? Math.round(rng.logNormal(Math.log(seg.minutes), 0.5) * 100) / 100 : 0;
  const emails = rng.poisson(seg.emails);
  const discount = purchases > 0 ? Math.round(rng.uniform() ** 1.5 * 1000) / 1000 : 0;
  const wishlist = rng.poisson(seg.wishlist);
  const accountAge = 1 + Math.floor(rng.uniform() * 2000);
  out[0] = sessions;
  out[1] = pageViews;
  out[2] = cartAdds;
  out[3] = purchases;
  out[4] = daysSince;
  out[5] = minutes;
  out[6] = emails;
  out[7] = discount;
  out[8] = wishlist;
  out[9] = accountAge;
  let z = TRUE_INTERCEPT;
  for (let j = 0; j < TRUE_WEIGHTS.length; j++) z += TRUE_WEIGHTS[j] * (TRUE_ON_LOG_SCALE[j] ? Math.log1p(out[j]) : out[j]);
  return rng.uniform() < 1 / (1 + Math.exp(-z));
}
