/** Who is signed in, shared by every page. */
import type { Me } from '../../../shared/api-types';
import { api, call } from '$lib/api';

class SessionState {
  me = $state<Me | null>(null);
  setupNeeded = $state(false);
  loaded = $state(false);

  /** Asks the server who we are (and whether Polku still needs setting up). */
  async refresh(): Promise<void> {
    const status = await call(api.auth.status.$get());
    this.setupNeeded = status.setupNeeded;
    this.me = status.signedIn ? await call(api.me.$get()) : null;
    this.loaded = true;
  }

  async signOut(): Promise<void> {
    await call(api.auth.logout.$post());
    this.me = null;
  }
}

export const session = new SessionState();
