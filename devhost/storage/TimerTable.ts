import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import type { TimerRecord } from "../protocol/messages.js";
import { checkCount } from "./checkCount.js";
import { isoBound, isoTime } from "./isoTime.js";
import { LargePayloads } from "./LargePayloads.js";
import { queryPage } from "./queryPage.js";
import { SupersededRowError, type RowTexts } from "./RowTexts.js";
import { deleteRow, rowKeyOf, type Row } from "./tableRows.js";
import { tableKeys } from "./tableKeys.js";

/**
 * The timers table: durable timers waiting to fire, all in one partition keyed by fire time, so that
 * the timers due by now are one key range, earliest first.
 */

const TIMERS_PARTITION = "timers";
/** Room a timer's row key leaves for its message id after `${fireAt ISO}|`. */
const TIMER_ID_KEY_LENGTH = 512 - 25;

type TimerRow = { FireAt: string; Message?: string; MessageBlob?: string };

function timerKey(timer: TimerRecord): string {
  return `${isoTime(timer.fireAt, "fireAt")}|${tableKeys.key(timer.message.id, TIMER_ID_KEY_LENGTH)}`;
}

export class TimerTable {
  constructor(
    private readonly table: TableClient,
    private readonly payloads: LargePayloads,
    private readonly texts: RowTexts,
  ) {}

  async add(timer: TimerRecord): Promise<void> {
    const rowKey = timerKey(timer);
    const texts = await this.texts.store({ Message: JSON.stringify(timer.message) }, (column, text) =>
      LargePayloads.contentName(timer.message.instanceId, rowKey, column, text),
    );
    await this.table.upsertEntity<Row>({ partitionKey: TIMERS_PARTITION, rowKey, FireAt: timer.fireAt, ...texts.columns }, "Replace");
  }

  async due(now: Date, max: number): Promise<TimerRecord[]> {
    checkCount(max, "max", Number.MAX_SAFE_INTEGER);
    // Row keys are `${fireAt ISO}|…` and "}" sorts right after "|": below this bound is every timer due by now.
    const bound = `${isoBound(now, "now")}}`;
    const page = await queryPage<TimerRow>(this.table, [odata`PartitionKey eq ${TIMERS_PARTITION} and RowKey lt ${bound}`], max);
    return this.fromRows(page.rows);
  }

  async delete(timer: TimerRecord): Promise<void> {
    const rowKey = timerKey(timer);
    await deleteRow(this.table, TIMERS_PARTITION, rowKey);
    const json = JSON.stringify(timer.message);
    if (!LargePayloads.fitsTable(json)) await this.payloads.delete([LargePayloads.contentName(timer.message.instanceId, rowKey, "Message", json)]);
  }

  private async fromRows(rows: readonly TableEntityResult<TimerRow>[]): Promise<TimerRecord[]> {
    const timers = await Promise.all(
      rows.map(async (row): Promise<TimerRecord | undefined> => {
        try {
          const message = JSON.parse(await this.texts.require(row, "Message", `timer ${rowKeyOf(row)}`)) as TimerRecord["message"];
          return { fireAt: row.FireAt, message };
        } catch (error) {
          // Deleted (fired) meanwhile.
          if (error instanceof SupersededRowError) return undefined;
          throw error;
        }
      }),
    );
    return timers.filter((timer) => timer !== undefined);
  }
}
