/** Task hub names as the Durable extension restricts them, so that every derived table, queue and container name is valid. */
const HUB_NAME = /^[A-Za-z][A-Za-z0-9]{2,44}$/;
/** The Azure Storage provider's limit on control queues. */
const MAX_PARTITIONS = 16;

/** The tables, queues and blob container of one task hub, after checking its name and partition count. */
export function taskHubNames(taskHubName: string, partitionCount: number) {
  if (!HUB_NAME.test(taskHubName)) {
    throw new Error(
      `Invalid task hub name "${taskHubName}": use 3 to 45 letters and digits, starting with a letter ` +
        "(extensions.durableTask.hubName in host.json).",
    );
  }
  if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > MAX_PARTITIONS) {
    throw new RangeError(
      `Invalid partition count ${partitionCount}: use a whole number from 1 to ${MAX_PARTITIONS} ` +
        "(extensions.durableTask.storageProvider.partitionCount in host.json).",
    );
  }
  // Queue and container names must be lower case; table names keep the hub's spelling, as the extension's do.
  const lower = taskHubName.toLowerCase();
  return {
    instancesTable: `${taskHubName}Instances`,
    historyTable: `${taskHubName}History`,
    entitiesTable: `${taskHubName}Entities`,
    timersTable: `${taskHubName}Timers`,
    controlQueues: Array.from({ length: partitionCount }, (_, index) => `${lower}-control-${String(index).padStart(2, "0")}`),
    workItemQueue: `${lower}-workitems`,
    largeMessagesContainer: `${lower}-largemessages`,
  };
}
