// Who is logged in and the studio's names (templates, models, adult categories), shared by the pages.
import { get } from './api.js';

const ROLES = ['viewer', 'reviewer', 'operator', 'admin'];

// What the page code asks about the user: may they do what `role` may, may they see adult images.
export const session = {
  user: null,
  can(role) { return this.user ? ROLES.indexOf(this.user.role) >= ROLES.indexOf(role) : false; },
  get adult() { return Boolean(this.user && this.user.adult); },
};

let studio = null;

// Templates and models, read once per login: category names, which categories are adult.
export async function studioData(refresh) {
  if (studio && !refresh) return studio;
  const [t, m] = await Promise.all([get('/v1/templates').catch(() => ({ templates: [] })), get('/v1/models').catch(() => ({ models: [] }))]);
  const adultCategories = new Set(t.templates.filter(x => x.adult).map(x => x.category));
  const categories = [...new Set(t.templates.map(x => x.category))].sort();
  studio = { templates: t.templates, models: m.models, adultCategories, categories };
  return studio;
}

export function isAdult(record) {
  return Boolean(record.adult) || Boolean(studio && studio.adultCategories.has(record.category));
}

export function resetStudio() { studio = null; }
