import type { FunctionInvoker } from "../protocol/FunctionInvoker.js";
import type { NewHistoryEvent } from "../protocol/historyEvents.js";
import type { OutgoingMessage, WorkItemMessage } from "../protocol/messages.js";
import { messageIds } from "../protocol/messageIds.js";
import type { OrchestrationLedger } from "./OrchestrationLedger.js";
import type { PlannedEvent } from "./PlannedEvent.js";

/**
 * What one episode builds up: its new events (planned, then put in order), the events recording the
 * sequence numbers it hands out, and the messages that carry out the work. The sequence numbers are
 * taken here, in the order the SDK takes them.
 */
export class EpisodeWork {
  readonly planned: PlannedEvent[] = [];
  /** Events recording numbers, appended after the episode's new events (as the extension does). */
  readonly scheduling: NewHistoryEvent[] = [];
  /** The work the execution starts: sent unless the episode ends it in failure. */
  readonly outbox: OutgoingMessage[] = [];
  /** Messages taken from the queue but not applied. */
  readonly dropped: string[] = [];
  /** The SDK numbers tasks one after another, continuing from the numbers the history holds. */
  private nextSequence: number;

  constructor(
    readonly ledger: OrchestrationLedger,
    readonly app: FunctionInvoker,
    readonly instanceId: string,
    readonly executionId: string,
    /** The SDK's currentUtcDateTime in this episode. */
    readonly now: Date,
  ) {
    this.nextSequence = ledger.slots.length;
  }

  drop(messageId: string): void {
    this.dropped.push(messageId);
  }

  /** Applies the event to the ledger at once, so that the rest of the batch is planned against it. */
  plan(planned: PlannedEvent): void {
    this.ledger.apply(planned.event, this.now);
    this.planned.push(planned);
  }

  takeSequence(): number {
    return this.nextSequence++;
  }

  /**
   * Records a number taken with takeSequence(). The event goes after the episode's new events,
   * unless `inline` is given: then it goes among them, in the numbering phase at that arrival. That
   * is for the timers and attempts a retry timeout skips: their firings and failures are new events
   * of this episode too, and must come after the events that record them.
   */
  record(event: NewHistoryEvent, inline?: { arrival: number }): void {
    this.ledger.apply(event, this.now);
    if (inline === undefined) this.scheduling.push(event);
    else this.planned.push({ event, phase: "numbering", arrival: inline.arrival });
  }

  send(message: OutgoingMessage): void {
    this.outbox.push(message);
  }

  sendWorkItem(kind: WorkItemMessage["kind"], sequence: number, name: string, input: string | undefined): void {
    const message: WorkItemMessage = {
      kind,
      id: messageIds.workItem(this.instanceId, this.executionId, sequence),
      instanceId: this.instanceId,
      executionId: this.executionId,
      taskScheduledId: sequence,
      name,
      ...(input === undefined ? {} : { input }),
    };
    this.send({ to: "workItems", message });
  }
}
