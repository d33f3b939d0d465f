// Review actions and how a record says its review state, rating and reservation, in one place
// so the gallery, the large view and the detail page agree.
import { api, post } from './api.js';

export function reviewState(rec) {
  // Held back by the output nudity check: shown as its own state (never publishable).
  if (rec.status === 'quarantined') return 'quarantined';
  const r = rec.review;
  if (typeof r === 'string') return r;
  if (r && typeof r === 'object') return r.state || 'pending';
  return rec.review_state || 'pending';
}

export function rejectReason(rec) {
  const r = rec.review;
  return (r && typeof r === 'object' && r.reason) || rec.review_reason || rec.reject_reason || '';
}

export function ratingOf(rec) {
  const r = rec.rating;
  if (typeof r === 'number') return r;
  if (r && typeof r === 'object') return r.rating ?? r.value ?? null;
  return null;
}

export function reservationOf(rec) {
  return rec.reservation || null;
}

export async function rate(rec, rating) {
  await post(`/v1/images/${encodeURIComponent(rec.image_id)}/rating`, { rating });
  rec.rating = rating;
}

export async function approve(rec) {
  await post(`/v1/images/${encodeURIComponent(rec.image_id)}/approve`, {});
  rec.review = { state: 'approved' };
}

export async function reject(rec, reason) {
  await post(`/v1/images/${encodeURIComponent(rec.image_id)}/reject`, { reason });
  rec.review = { state: 'rejected', reason };
}

// A quarantined image a reviewer finds fine becomes publishable, audited with the reason. Explicit
// nudity is a hard line: the server refuses it (422 hard_line) and the message says to reject it.
export async function releaseQuarantine(rec, reason) {
  const updated = await post(`/v1/images/${encodeURIComponent(rec.image_id)}/release`, { reason });
  rec.status = updated.status;
}

export function stars(n) {
  return n ? '★'.repeat(n) + '☆'.repeat(5 - n) : '';
}

// Many at once: all or none (the server refuses the whole batch if one image cannot be decided).
export async function reviewMany(recs, decision, reason) {
  await post('/v1/images/review', { ids: recs.map(r => r.image_id), decision, reason });
  for (const rec of recs) rec.review = { state: decision === 'approve' ? 'approved' : 'rejected', reason };
}

// Holds the image for a post on a channel and day (it leaves the publishing pool until released).
export async function reserve(rec, channel, day) {
  rec.reservation = await post(`/v1/images/${encodeURIComponent(rec.image_id)}/reservation`, { channel, day });
}

export async function release(rec) {
  await api('DELETE', `/v1/images/${encodeURIComponent(rec.image_id)}/reservation`);
  rec.reservation = null;
}
