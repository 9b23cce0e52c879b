/**
 * What services need from the live sockets when access changes: tell the case's pages that the
 * team or consents changed, and cut people off a case at once (Yjs rooms and Socket.IO).
 */
export interface CaseRealtime {
  /** The team or the consents of the case changed; open case pages refresh. */
  changed(caseId: string): void;
  /** These accounts lost access to the case: close their Yjs connections and Socket.IO subscriptions. */
  revoke(caseId: string, accountIds: string[]): void;
  /** The account was deactivated: close everything it has open. */
  revokeAccount(accountId: string): void;
}
