/** A form's submit action with its busy and error state; errors become translated messages. */
import { describeError } from '$lib/api';

export class Submission {
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly run: () => Promise<void>) {}

  readonly submit = async (event?: SubmitEvent): Promise<void> => {
    event?.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      await this.run();
    } catch (e) {
      this.error = describeError(e);
    } finally {
      this.busy = false;
    }
  };
}
