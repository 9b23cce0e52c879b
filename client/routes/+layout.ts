// A single-page app: the server serves index.html for every route and the API under /api.
export const ssr = false;
export const prerender = false;
