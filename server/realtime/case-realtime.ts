/**
 * What services need from the live sockets when a case changes: tell the case's pages. Cutting
 * people off a case is the close path's (`close-path.ts`).
 */
export interface CaseRealtime {
  /** The team or the consents of the case changed; open case pages refresh. */
  changed(caseId: string): void;
}
