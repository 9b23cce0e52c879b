import type { ParamMatcher } from '@sveltejs/kit';

/** Matches a case id (a UUID). */
export const match: ParamMatcher = (param) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(param);
