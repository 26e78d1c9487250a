// End to end on the local host with Azurite: E3 operations through the exactly-once endpoint,
// entity signals, and hello-sequence orchestrations, each per second, beside the Azure Storage
// provider's published per-instance figures and beside raw Azurite round trips measured in the same
// run, so that what the host adds per step shows. Storage requests per operation are read from the
// host itself (see storageRequests.mjs).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { storageClients } from "../devhost/dist/storage/storageClients.js";
import { startAzurite } from "../scripts/azurite.mjs";
import { startDevhost } from "./lib/devhost.mjs";
import { check, runAsFamily } from "./lib/family.mjs";
import { round } from "./lib/stats.mjs";
import { difference, totalOf } from "./lib/storageRequests.mjs";

/**
 * Per instance, from https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-perf-and-scale
 * (Azure Storage provider, one worker): what Azure itself manages, for scale.
 */
export const PUBLISHED_PER_SECOND = { sequentialActivities: 5, fanOut: 100, fanIn: 150, externalEvents: 50, entityOperations: 64 };

const SIZES = {
  full: { rawRoundTrips: 300, e3Operations: 300, e3Concurrency: 20, entitySignals: 500, signalConcurrency: 10, helloSequences: 40, helloConcurrency: 10 },
  quick: { rawRoundTrips: 100, e3Operations: 60, e3Concurrency: 10, entitySignals: 100, signalConcurrency: 10, helloSequences: 10, helloConcurrency: 5 },
};
/** How often the benchmark looks for the end of a phase; its reads count among the host's storage requests, so not too often. */
const POLL_MS = 100;
const PHASE_TIMEOUT_MS = 180_000;

runAsFamily(import.meta.url, async ({ quick }) => {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const azurite = await startAzurite();
  let host;
  try {
    const raw = await rawRoundTrips(azurite.connectionString, sizes.rawRoundTrips);
    host = await startDevhost({ connectionString: azurite.connectionString, taskHubName: `BenchE2e${Date.now().toString(36)}` });
    const phase = async (run) => {
      const before = await host.storageRequests();
      const result = await run(host.url);
      const requests = difference(await host.storageRequests(), before);
      return { ...result, storageRequestsPerOperation: round(totalOf(requests) / result.operations, 1), storageRequestsByKind: requests };
    };
    const e3 = await phase((url) => e3Operations(url, sizes.e3Operations, sizes.e3Concurrency));
    const signals = await phase((url) => entitySignals(url, sizes.entitySignals, sizes.signalConcurrency));
    const hello = await phase((url) => helloSequences(url, sizes.helloSequences, sizes.helloConcurrency));
    return {
      sizes,
      raw,
      e3,
      signals,
      hello,
      published: PUBLISHED_PER_SECOND,
      // One storage round trip at the raw rate, over one operation's time: how many round trips' worth the host spends per operation.
      roundTripsPerOperation: {
        e3: round(raw.queueRoundTripsPerSecond / e3.perSecond, 1),
        signals: round(raw.queueRoundTripsPerSecond / signals.perSecond, 1),
        hello: round(raw.queueRoundTripsPerSecond / hello.perSecond, 1),
      },
    };
  } finally {
    await host?.stop();
    await azurite.stop();
  }
});

/** Azurite alone, one request after another: a queue message's send + receive + delete, and a table row's upsert + get. */
async function rawRoundTrips(connectionString, count) {
  const clients = storageClients(connectionString);
  const queue = clients.queue(`bench-raw-${randomUUID().slice(0, 8)}`);
  const table = clients.table(`BenchRaw${randomUUID().slice(0, 8)}`);
  await queue.create();
  await table.createTable();
  const queueSeconds = await timedSeconds(async () => {
    for (let index = 0; index < count; index += 1) {
      await queue.sendMessage(`message ${index}`);
      const [received] = (await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
      check(received?.messageText === `message ${index}`, `the raw queue returned ${received?.messageText}`);
      await queue.deleteMessage(received.messageId, received.popReceipt);
    }
  });
  const tableSeconds = await timedSeconds(async () => {
    for (let index = 0; index < count; index += 1) {
      await table.upsertEntity({ partitionKey: "bench", rowKey: String(index % 10), value: index }, "Replace");
      const row = await table.getEntity("bench", String(index % 10));
      check(row.value === index, `the raw table returned ${row.value}`);
    }
  });
  await Promise.all([queue.delete(), table.deleteTable()]);
  return {
    queueRoundTripsPerSecond: round(count / queueSeconds, 1),
    tableRoundTripsPerSecond: round(count / tableSeconds, 1),
    queueRequestsPerSecond: round((3 * count) / queueSeconds, 1),
    tableRequestsPerSecond: round((2 * count) / tableSeconds, 1),
  };
}

/** One E3 counter, `count` increments through POST /api/e3counter/{id}/incr, `concurrency` at a time; each answers once confirmed. */
async function e3Operations(url, count, concurrency) {
  const instanceId = `bench-e3-${randomUUID().slice(0, 8)}`;
  await expectStatus(await fetch(`${url}/api/orchestrators/E3_Counter/${instanceId}`, { method: "POST" }), 202, "starting E3_Counter");
  const seconds = await timedSeconds(() =>
    inParallel(count, concurrency, async () => {
      const response = await fetch(`${url}/api/e3counter/${instanceId}/incr`, { method: "POST" });
      await expectStatus(response, 200, "an E3 increment");
    }),
  );
  const { value } = await (await fetch(`${url}/api/e3counter/${instanceId}`)).json();
  check(value === count, `E3_Counter shows ${value} after ${count} confirmed increments`);
  return { operations: count, concurrency, seconds: round(seconds), perSecond: round(count / seconds, 1) };
}

/** `count` signals (add 1) to one counter entity, `concurrency` at a time; done when the entity shows them all. */
async function entitySignals(url, count, concurrency) {
  const key = `bench-${randomUUID().slice(0, 8)}`;
  const seconds = await timedSeconds(async () => {
    await inParallel(count, concurrency, async () => {
      await expectStatus(await fetch(`${url}/api/counter/${key}/add?value=1`, { method: "POST" }), 202, "an entity signal");
    });
    await pollUntil(async () => {
      const response = await fetch(`${url}/api/counter/${key}`);
      return response.status === 200 && (await response.json()).value === count;
    }, `the entity to show ${count}`);
  });
  return { operations: count, concurrency, seconds: round(seconds), perSecond: round(count / seconds, 1) };
}

/**
 * `count` E1_HelloSequence instances (three activities each) started `concurrency` at a time; done
 * when none is pending or running. One listing poll for all of them, rather than a status poll per
 * instance, keeps the benchmark's own reads out of the host's storage requests per orchestration.
 */
async function helloSequences(url, count, concurrency) {
  const statusUris = [];
  const seconds = await timedSeconds(async () => {
    await inParallel(count, concurrency, async () => {
      const response = await fetch(`${url}/api/orchestrators/E1_HelloSequence`, { method: "POST" });
      await expectStatus(response, 202, "starting E1_HelloSequence", false);
      statusUris.push((await response.json()).statusQueryGetUri);
    });
    const [instancesUri, query] = statusUris[0].split("?");
    const listUri = `${instancesUri.slice(0, instancesUri.lastIndexOf("/"))}?${query}&runtimeStatus=Pending,Running`;
    await pollUntil(async () => {
      const listed = await (await fetch(listUri)).json();
      return !listed.some((instance) => instance.name === "E1_HelloSequence");
    }, "every E1_HelloSequence to finish");
  });
  for (const statusUri of statusUris) {
    const status = await (await fetch(statusUri)).json();
    check(
      status.runtimeStatus === "Completed" && JSON.stringify(status.output) === JSON.stringify(["Hello Tokyo!", "Hello Seattle!", "Hello London!"]),
      `E1_HelloSequence ended ${status.runtimeStatus} with ${JSON.stringify(status.output)}`,
    );
  }
  return { operations: count, concurrency, activities: 3 * count, seconds: round(seconds), perSecond: round(count / seconds, 2) };
}

async function expectStatus(response, status, what, consume = true) {
  if (response.status !== status) throw new Error(`Wrong result: ${what} answered ${response.status}: ${await response.text()}`);
  if (consume) await response.arrayBuffer();
}

/** Runs `task` `count` times with at most `concurrency` running at once. */
async function inParallel(count, concurrency, task) {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function pollUntil(condition, what) {
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function timedSeconds(work) {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}
