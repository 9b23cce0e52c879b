/** The activity plan: vocabulary, Yjs shape and operations, JSON form, and completeness checks. */
export * from './vocabulary.js';
export * from './types.js';
export * from './doc.js';
export * from './json.js';
export * from './period.js';
export * from './checks.js';
export * from './rich-text.js';
export * from './diff.js';
