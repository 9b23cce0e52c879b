/**
 * A live meeting on screen: its data (reloaded when the server says it changed), who is
 * present, and the chair's lead (follow the presenter). Socket.IO carries the meeting's events;
 * the workspace itself stays in Yjs.
 */
import { api, call, describeError } from '$lib/api';
import type { PolkuSocket } from '$lib/realtime/socket';
import type { FollowState, GuestView, MeetingView } from '../../../shared/meetings';
import type { MeetingPresence } from '../../../shared/socket-events';

export class MeetingState {
  meeting = $state<MeetingView | null>(null);
  error = $state<string | null>(null);
  people = $state<MeetingPresence[]>([]);
  clientPresent = $state(false);
  guests = $state<GuestView[]>([]);
  /** The chair's latest lead, as received. */
  lead = $state<FollowState | null>(null);
  /** Whether this person follows the lead (they can stop, and start again). */
  following = $state(true);
  ended = $state(false);
  private readonly cleanup: Array<() => void> = [];

  constructor(
    readonly meetingId: string,
    private readonly socket: PolkuSocket | null
  ) {
    void this.reload();
    if (!socket) return;
    const join = () =>
      socket.emit('meeting:join', meetingId, (ack) => {
        if (ack.ok) this.lead = ack.follow;
      });
    const onPresence = (p: { meetingId: string; people: MeetingPresence[]; client: boolean }) => {
      if (p.meetingId !== meetingId) return;
      this.people = p.people;
      this.clientPresent = p.client;
    };
    const onChanged = (p: { meetingId: string }) => p.meetingId === meetingId && void this.reload();
    const onFocus = (p: { meetingId: string; state: FollowState }) => {
      if (p.meetingId !== meetingId) return;
      // A new lead asks everyone to follow again, as the chair just asked.
      if (p.state.following && !this.lead?.following) this.following = true;
      this.lead = p.state;
    };
    const onEnded = (p: { meetingId: string }) => {
      if (p.meetingId !== meetingId) return;
      this.ended = true;
      void this.reload();
    };
    // Listen before joining: the first presence can arrive together with the join's answer.
    socket.on('meeting:presence', onPresence);
    socket.on('meeting:changed', onChanged);
    socket.on('meeting:focus', onFocus);
    socket.on('meeting:ended', onEnded);
    socket.on('connect', join);
    if (socket.connected) join();
    this.cleanup.push(() => {
      socket.off('meeting:presence', onPresence);
      socket.off('meeting:changed', onChanged);
      socket.off('meeting:focus', onFocus);
      socket.off('meeting:ended', onEnded);
      socket.off('connect', join);
      socket.emit('meeting:leave', meetingId);
    });
  }

  /** Reloads the meeting (and, for the chair, the lobby). */
  async reload(): Promise<void> {
    try {
      const meeting = await call(api.meetings[':meetingId'].$get({ param: { meetingId: this.meetingId } }));
      this.meeting = meeting;
      if (meeting.status === 'ended') this.ended = true;
      this.guests = meeting.canChair && meeting.status !== 'ended' ? await call(api.meetings[':meetingId'].guests.$get({ param: { meetingId: this.meetingId } })) : [];
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
  }

  /** The chair leads everyone to a view and goal (or stops leading). */
  async leadTo(state: FollowState): Promise<void> {
    if (!this.socket) return;
    this.lead = state;
    const ack = await this.socket.emitWithAck('meeting:focus', { meetingId: this.meetingId, state });
    if (!ack.ok) this.error = describeError(null);
  }

  destroy(): void {
    for (const run of this.cleanup) run();
  }
}
