/** Small helpers over the generated messages: role names and dates in the current locale, on a Finnish clock. */
import type { Role } from '../../shared/roles';
import { FINNISH_TIME_ZONE } from '../../shared/finnish-time';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';

const ROLE_NAMES: Record<Role, () => string> = {
  social_worker: m.role_social_worker,
  psychiatric_nurse: m.role_psychiatric_nurse,
  te_expert: m.role_te_expert,
  coach: m.role_coach,
  coordinator: m.role_coordinator,
  admin: m.role_admin,
  observer: m.role_observer
};

export function roleName(role: string): string {
  if (role === 'client') return m.role_client();
  return role in ROLE_NAMES ? ROLE_NAMES[role as Role]() : role;
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeZone: FINNISH_TIME_ZONE }).format(new Date(iso));
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: FINNISH_TIME_ZONE }).format(new Date(iso));
}

/** A day given as YYYY-MM-DD, in the current locale (without shifting it across time zones). */
export function formatDay(day: string): string {
  const [y, mo, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'long' }).format(new Date(y!, (mo ?? 1) - 1, d ?? 1));
}
