import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../devhost/clock/Clock.js";
import { EventType, type HistoryEvent } from "../../../devhost/protocol/historyEvents.js";
import type { RuntimeStatus } from "../../../devhost/protocol/runtimeStatus.js";
import { send, type HttpResult, type SendOptions } from "../../e2e/support/http.js";
import { entityBuilder, instanceArranger, newId, takeControlMessages } from "../taskHubFixture.js";
import { SYSTEM_KEY, useServedApi } from "./servedApi.js";

/** The built-in HTTP API over plain fetch: routes, status codes, headers and bodies as the extension's. */

const ANY_STRING: unknown = expect.any(String);
const clock = new VirtualClock(new Date("2032-02-03T04:05:06.789Z"));
const served = useServedApi("HttpApiTest", clock);

const call = (method: string, path: string, options?: SendOptions): Promise<HttpResult> => send(method, `${served.webhook}${path}`, options);

const arrange = instanceArranger(served, { input: '"Tokyo"', createdTime: "2032-01-01T10:00:00.250Z", lastUpdatedTime: "2032-01-01T10:00:05.750Z" });

/** Plays the engine's part for a start the API is waiting on: once its row is written, finishes it. */
async function finishOnceStarted(instanceId: string, runtimeStatus: RuntimeStatus, output: string): Promise<void> {
  let row = await served.storage.getInstance(instanceId);
  while (row === undefined) {
    await sleep(20);
    row = await served.storage.getInstance(instanceId);
  }
  await served.storage.putInstance({ ...row, runtimeStatus, output });
}

const errorBody = (message: string, exceptionMessage: unknown = ANY_STRING, exceptionType: unknown = ANY_STRING) => ({
  Message: message,
  ExceptionMessage: exceptionMessage,
  ExceptionType: exceptionType,
});

describe("start: POST orchestrators/{name}/{id?}", () => {
  it("answers 202 with the check-status payload, Location and Retry-After, and writes the start", async () => {
    const answer = await call("POST", "/orchestrators/HelloSequence", { json: { city: "Tokyo" } });
    expect(answer.status).toBe(202);
    const id = (answer.json as { id: string }).id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const instance = `${served.webhook}/instances/${id}`;
    const query = `taskHub=${served.storage.options.taskHubName}&connection=Storage&code=${SYSTEM_KEY}`;
    expect(answer.json).toEqual({
      id,
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    });
    expect(answer.headers.get("location")).toBe(`${instance}?${query}`);
    expect(answer.headers.get("retry-after")).toBe("10");
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await served.storage.getInstance(id)).toMatchObject({ name: "HelloSequence", runtimeStatus: "Pending", input: '{"city":"Tokyo"}' });
    const [message] = await takeControlMessages(served.storage, id);
    expect(message).toMatchObject({ event: { EventType: EventType.ExecutionStarted, Name: "HelloSequence", Input: '{"city":"Tokyo"}' } });
  });

  it("uses the id in the route, and takes an empty body or JSON null as no input", async () => {
    const first = newId("given");
    const second = newId("null");
    expect((await call("POST", `/orchestrators/Approval/${first}`)).status).toBe(202);
    expect((await call("POST", `/orchestrators/Approval/${second}/`, { json: null })).status).toBe(202);
    for (const id of [first, second]) {
      expect((await served.storage.getInstance(id))?.input).toBeUndefined();
      await takeControlMessages(served.storage, id);
    }
  });

  it("keeps the input's text as sent: an integer beyond 2^53 keeps every digit", async () => {
    const id = newId("bigint");
    expect((await call("POST", `/orchestrators/HelloSequence/${id}`, { data: " 12345678901234567890123\n", headers: { "Content-Type": "application/json" } })).status).toBe(202);
    expect((await served.storage.getInstance(id))?.input).toBe("12345678901234567890123");
    const status = await call("GET", `/instances/${id}`);
    expect(status.text).toContain('"input":12345678901234567890123,');
    await takeControlMessages(served.storage, id);
  });

  it("answers 400 for a body that is not JSON, before looking at the function", async () => {
    const id = newId("badjson");
    const answer = await call("POST", `/orchestrators/Nope/${id}`, { data: "{not json", headers: { "Content-Type": "application/json" } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(errorBody("Invalid JSON content", ANY_STRING, "Newtonsoft.Json.JsonReaderException"));
    expect(await served.storage.getInstance(id)).toBeUndefined();
  });

  it("answers 400 for a function that is not an orchestrator", async () => {
    const answer = await call("POST", "/orchestrators/Counter");
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      errorBody(
        "One or more of the arguments submitted is incorrect",
        "The function 'Counter' doesn't exist, is disabled, or is not an orchestrator function. Additional info: " +
          "The following are the known orchestrator functions: 'HelloSequence', 'Approval'.",
        "System.ArgumentException",
      ),
    );
  });

  it.each([
    ["@counter@x", "instanceId (Parameter 'Orchestration instance ids must not start with @.')"],
    ["a%01b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["a%23b", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')"],
    ["x".repeat(257), "Instance ID lengths must not exceed 256 characters."],
  ])("answers 400 for the instance id %j", async (id, exceptionMessage) => {
    const answer = await call("POST", `/orchestrators/HelloSequence/${id}`);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(errorBody("One or more of the arguments submitted is incorrect", exceptionMessage, "System.ArgumentException"));
  });

  it("answers 500 for an id whose instance has not finished, as the extension does", async () => {
    const id = newId("busy");
    await arrange(id, "Running");
    const answer = await call("POST", `/orchestrators/HelloSequence/${id}`);
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual(
      errorBody(
        "Something went wrong while processing your request",
        "An Orchestration instance with the status Running already exists.",
        "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException",
      ),
    );
  });

  it("waits for the outcome with timeout and pollingInterval: the output when it completes in time", async () => {
    const id = newId("wait");
    const completer = finishOnceStarted(id, "Completed", '["Hello Tokyo!"]');
    const answer = await call("POST", `/orchestrators/HelloSequence/${id}?timeout=5&pollingInterval=0.05`);
    await completer;
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(["Hello Tokyo!"]);
    await takeControlMessages(served.storage, id);
  });

  it("waits for the outcome: the status for a terminated instance, the check-status 202 when time runs out", async () => {
    const terminated = newId("wait-terminated");
    const terminator = finishOnceStarted(terminated, "Terminated", "stop");
    const stopped = await call("POST", `/orchestrators/HelloSequence/${terminated}?timeout=5&pollingInterval=0.05`);
    await terminator;
    expect(stopped.status).toBe(200);
    expect(stopped.json).toMatchObject({ instanceId: terminated, runtimeStatus: "Terminated", output: "stop" });

    const slow = newId("wait-slow");
    const started = Date.now();
    const pending = await call("POST", `/orchestrators/HelloSequence/${slow}?timeout=0.3&pollingInterval=0.1`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(pending.status).toBe(202);
    expect(pending.json).toMatchObject({ id: slow });
    for (const id of [terminated, slow]) await takeControlMessages(served.storage, id);
  });

  it("answers 400 when the polling interval exceeds the timeout", async () => {
    const id = newId("interval");
    const answer = await call("POST", `/orchestrators/HelloSequence/${id}?timeout=1&pollingInterval=2`);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      errorBody("One or more of the arguments submitted is incorrect", "Total timeout 1 should be bigger than retry timeout 2"),
    );
    await takeControlMessages(served.storage, id);
  });
});

describe("status: GET instances/{id}", () => {
  it("answers 404 with no body for an unknown instance", async () => {
    const answer = await call("GET", `/instances/${newId("nobody")}`);
    expect(answer.status).toBe(404);
    expect(answer.text).toBe("");
  });

  it.each(["Pending", "Running", "ContinuedAsNew", "Suspended"] as const)(
    "answers 202 with Location (the request's URL) and Retry-After 5 while %s",
    async (status) => {
      const id = newId(`s-${status}`);
      await arrange(id, status, { customStatus: '{"step":2}' });
      const answer = await call("GET", `/instances/${id}?code=whatever`);
      expect(answer.status).toBe(202);
      expect(answer.headers.get("location")).toBe(`${served.webhook}/instances/${id}?code=whatever`);
      expect(answer.headers.get("retry-after")).toBe("5");
      expect(answer.json).toEqual({
        name: "HelloSequence",
        instanceId: id,
        runtimeStatus: status,
        input: "Tokyo",
        customStatus: { step: 2 },
        output: null,
        createdTime: "2032-01-01T10:00:00Z",
        lastUpdatedTime: "2032-01-01T10:00:05Z",
      });
    },
  );

  it.each(["Completed", "Terminated", "Canceled", "Failed"] as const)("answers 200 without Location when %s", async (status) => {
    const id = newId(`f-${status}`);
    await arrange(id, status, { output: "not json" });
    const answer = await call("GET", `/instances/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("location")).toBeNull();
    expect(answer.json).toMatchObject({ runtimeStatus: status, output: "not json" });
  });

  it("answers 500 for a failed instance with returnInternalServerErrorOnFailure=true (any case)", async () => {
    const failed = newId("failed");
    const completed = newId("completed");
    await arrange(failed, "Failed", { output: '"Orchestrator function failed: boom"' });
    await arrange(completed, "Completed");
    expect((await call("GET", `/instances/${failed}?returnInternalServerErrorOnFailure=true`)).status).toBe(500);
    expect((await call("GET", `/instances/${failed}?returninternalservererroronfailure=TRUE`)).status).toBe(500);
    expect((await call("GET", `/instances/${failed}?returnInternalServerErrorOnFailure=yes`)).status).toBe(200);
    expect((await call("GET", `/instances/${completed}?returnInternalServerErrorOnFailure=true`)).status).toBe(200);
  });

  it("leaves the input out with showInput=false", async () => {
    const id = newId("noinput");
    await arrange(id, "Running");
    expect((await call("GET", `/instances/${id}?showInput=false`)).json).toMatchObject({ input: null });
  });

  describe("with showHistory", () => {
    const T = (seconds: number, millis = 0): string => new Date(Date.UTC(2032, 0, 1, 10, 0, seconds, millis)).toISOString();
    // EventIds are positions in the history, as this host's storage keeps them.
    const events: HistoryEvent[] = ([
      { EventType: EventType.OrchestratorStarted, IsPlayed: false, Timestamp: T(0) },
      { EventType: EventType.ExecutionStarted, IsPlayed: false, Timestamp: T(0), Name: "HelloSequence", Input: '"Tokyo"' },
      { EventType: EventType.TaskScheduled, IsPlayed: false, Timestamp: T(1, 500), Name: "SayHello", Input: '"Tokyo"' },
      { EventType: EventType.TimerCreated, IsPlayed: false, Timestamp: T(1, 500), FireAt: T(30), TimerId: 1, Origin: "action" },
      { EventType: EventType.OrchestratorCompleted, IsPlayed: false, Timestamp: T(1, 500) },
      { EventType: EventType.OrchestratorStarted, IsPlayed: false, Timestamp: T(2) },
      { EventType: EventType.TaskCompleted, IsPlayed: false, Timestamp: T(2, 120), TaskScheduledId: 0, Result: '"Hello Tokyo!"' },
      { EventType: EventType.TimerFired, IsPlayed: false, Timestamp: T(2, 120), TimerId: 1, FireAt: T(30) },
      { EventType: EventType.EventRaised, IsPlayed: true, Timestamp: T(2, 120), Name: "Approval", Input: "true" },
      // As the host writes them: the sequence number and retry bookkeeping recorded on the event.
      {
        EventType: EventType.TaskScheduled,
        IsPlayed: false,
        Timestamp: T(3),
        Name: "SayHello",
        Input: '"Oslo"',
        TaskScheduledId: 2,
        Origin: "action",
        GroupId: 2,
        RetryOptions: { maxNumberOfAttempts: 1 },
      },
      {
        EventType: EventType.TaskFailed,
        IsPlayed: false,
        Timestamp: T(4),
        TaskScheduledId: 2,
        Reason: "boom",
        FailureDetails: { ErrorType: "Error", ErrorMessage: "boom" },
      },
      { EventType: EventType.TaskScheduled, IsPlayed: false, Timestamp: T(4), Name: "Notify", TaskScheduledId: 3, Origin: "action" },
      { EventType: EventType.ExecutionCompleted, IsPlayed: false, Timestamp: T(5), OrchestrationStatus: 1, Result: '["Hello Tokyo!"]' },
      { EventType: EventType.OrchestratorCompleted, IsPlayed: false, Timestamp: T(5) },
    ] satisfies Omit<HistoryEvent, "EventId">[]).map((event, EventId) => ({ ...event, EventId }));

    async function arrangeWithHistory(status: RuntimeStatus): Promise<string> {
      const id = newId(`h-${status}`);
      const instance = await arrange(id, status, { output: '["Hello Tokyo!"]' });
      await served.storage.commitEpisode(
        id,
        events.map((event) => ({ event })),
        { executionId: instance.executionId, eventCount: events.length, carriedMessageIds: [], outbox: [], instance },
      );
      return id;
    }

    it("renders the history as the extension does: names, folded schedules, no episode markers, no host fields", async () => {
      const id = await arrangeWithHistory("Completed");
      const answer = await call("GET", `/instances/${id}?showHistory=true`);
      expect(answer.status).toBe(200);
      expect((answer.json as { historyEvents: unknown }).historyEvents).toEqual([
        { EventType: "ExecutionStarted", Timestamp: "2032-01-01T10:00:00Z", Input: '"Tokyo"', FunctionName: "HelloSequence" },
        { EventType: "TimerCreated", Timestamp: "2032-01-01T10:00:01.5Z", FireAt: "2032-01-01T10:00:30Z" },
        {
          EventType: "TaskCompleted",
          Timestamp: "2032-01-01T10:00:02.12Z",
          ScheduledTime: "2032-01-01T10:00:01.5Z",
          FunctionName: "SayHello",
          Input: '"Tokyo"',
        },
        { EventType: "TimerFired", Timestamp: "2032-01-01T10:00:02.12Z", FireAt: "2032-01-01T10:00:30Z" },
        { EventType: "EventRaised", Timestamp: "2032-01-01T10:00:02.12Z", Name: "Approval", Input: "true" },
        {
          EventType: "TaskFailed",
          Timestamp: "2032-01-01T10:00:04Z",
          Reason: "boom",
          FailureDetails: { ErrorType: "Error", ErrorMessage: "boom" },
          ScheduledTime: "2032-01-01T10:00:03Z",
          FunctionName: "SayHello",
          Input: '"Oslo"',
        },
        { EventType: "TaskScheduled", Timestamp: "2032-01-01T10:00:04Z", Name: "Notify" },
        { EventType: "ExecutionCompleted", Timestamp: "2032-01-01T10:00:05Z", OrchestrationStatus: "Completed" },
      ]);
    });

    it("shows results as JSON with showHistoryOutput=true, and no inputs with showInput=false", async () => {
      const id = await arrangeWithHistory("Completed");
      const answer = await call("GET", `/instances/${id}?showHistory=true&showHistoryOutput=true&showInput=false`);
      const body = answer.json as { input: unknown; historyEvents: Record<string, unknown>[] };
      expect(body.input).toBeNull();
      expect(body.historyEvents.some((event) => "Input" in event)).toBe(false);
      expect(body.historyEvents.find((event) => event.EventType === "TaskCompleted")?.Result).toBe("Hello Tokyo!");
      expect(body.historyEvents.find((event) => event.EventType === "ExecutionCompleted")?.Result).toEqual(["Hello Tokyo!"]);
    });

    it("gives a pending instance no history at all, and leaves historyEvents out without showHistory", async () => {
      const pending = await arrangeWithHistory("Pending");
      expect((await call("GET", `/instances/${pending}?showHistory=true`)).json).not.toHaveProperty("historyEvents");
      const completed = await arrangeWithHistory("Completed");
      expect((await call("GET", `/instances/${completed}`)).json).not.toHaveProperty("historyEvents");
    });
  });
});

describe("listing: GET instances", () => {
  it("filters by status, creation time and prefix, and pages with the continuation header", async () => {
    const prefix = newId("lst");
    const created = (minute: number) => ({ createdTime: `2033-01-01T00:${String(minute).padStart(2, "0")}:00.000Z` });
    await Promise.all([
      arrange(`${prefix}-1`, "Completed", created(1)),
      arrange(`${prefix}-2`, "Completed", created(2)),
      arrange(`${prefix}-3`, "Failed", created(3)),
      arrange(`${prefix}-4`, "Running", created(4)),
      arrange(`${prefix}-5`, "Completed", created(30)),
    ]);
    const filter =
      `instanceIdPrefix=${prefix}&runtimeStatus=Completed,Failed&createdTimeFrom=2033-01-01T00:00:00Z` +
      `&createdTimeTo=2033-01-01T00:10:00Z&top=2&showInput=false`;
    const ids: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const answer = await call("GET", `/instances?${filter}`, { headers: token === "" ? {} : { "x-ms-continuation-token": token } });
      expect(answer.status).toBe(200);
      expect(answer.headers.has("x-ms-continuation-token")).toBe(true);
      const page = answer.json as { instanceId: string; input: unknown; historyEvents?: unknown }[];
      expect(page.length).toBeLessThanOrEqual(2);
      for (const status of page) {
        expect(status.input).toBeNull();
        expect(status).not.toHaveProperty("historyEvents");
      }
      ids.push(...page.map((status) => status.instanceId));
      token = answer.headers.get("x-ms-continuation-token") ?? "";
      pages++;
    } while (token !== "");
    expect(ids.sort()).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
    expect(pages).toBeGreaterThan(1);

    const withSlash = await call("GET", `/instances/?instanceIdPrefix=${prefix}&runtimeStatus=Running`);
    expect((withSlash.json as { instanceId: string; input: unknown }[]).map((status) => [status.instanceId, status.input])).toEqual([
      [`${prefix}-4`, "Tokyo"],
    ]);
  });
});

describe("events, terminate, suspend, resume, rewind", () => {
  it("raises an event: 202 and an EventRaised message", async () => {
    const id = newId("raise");
    await arrange(id, "Running");
    const answer = await call("POST", `/instances/${id}/raiseEvent/Approval`, { json: { approved: true } });
    expect(answer.status).toBe(202);
    expect(answer.text).toBe("");
    expect(await takeControlMessages(served.storage, id)).toEqual([
      { kind: "orchestration", id: ANY_STRING, instanceId: id, event: { EventType: EventType.EventRaised, Name: "Approval", Input: '{"approved":true}' } },
    ]);
  });

  it("answers 404 for an unknown instance and 410 for a finished one (Failed included)", async () => {
    expect((await call("POST", `/instances/${newId("nobody")}/raiseEvent/E`, { json: 1 })).status).toBe(404);
    for (const status of ["Completed", "Failed", "Terminated", "Canceled"] as const) {
      const id = newId(`gone-${status}`);
      await arrange(id, status);
      expect((await call("POST", `/instances/${id}/raiseEvent/E`, { json: 1 })).status).toBe(410);
    }
  });

  it("answers 400 for content that is not JSON", async () => {
    const id = newId("notjson");
    await arrange(id, "Running");
    const plain = await call("POST", `/instances/${id}/raiseEvent/E`, { data: "yes", headers: { "Content-Type": "text/plain" } });
    expect(plain.status).toBe(400);
    expect(plain.json).toEqual({ Message: "Only application/json request content is supported" });
    const broken = await call("POST", `/instances/${id}/raiseEvent/E`, { data: "{", headers: { "Content-Type": "application/json; charset=utf-8" } });
    expect(broken.status).toBe(400);
    expect(broken.json).toEqual(errorBody("Invalid JSON content", ANY_STRING, "Newtonsoft.Json.JsonReaderException"));
    expect(await takeControlMessages(served.storage, id)).toEqual([]);
  });

  it("terminates: 202 with the reason, 404 unknown, 410 finished", async () => {
    const id = newId("term");
    await arrange(id, "Suspended");
    expect((await call("POST", `/instances/${id}/terminate?reason=no%20longer%20needed`)).status).toBe(202);
    const [message] = await takeControlMessages(served.storage, id);
    expect(message).toMatchObject({ event: { EventType: EventType.ExecutionTerminated, Input: '"no longer needed"' } });
    expect((await call("POST", `/instances/${newId("nobody")}/terminate`)).status).toBe(404);
    const done = newId("term-done");
    await arrange(done, "Completed");
    expect((await call("POST", `/instances/${done}/Terminate?reason=x`)).status).toBe(410);
  });

  it("suspends and resumes: 202, and 500 when the instance is not in a state for it", async () => {
    const id = newId("pause");
    await arrange(id, "Running");
    expect((await call("POST", `/instances/${id}/suspend?reason=lunch`)).status).toBe(202);
    const resumeRunning = await call("POST", `/instances/${id}/resume`);
    expect(resumeRunning.status).toBe(500);
    expect(resumeRunning.json).toEqual(
      errorBody(
        "Something went wrong while processing your request",
        `Cannot resume the orchestration instance ${id} because instance is in the Running state.`,
        "System.InvalidOperationException",
      ),
    );
    await arrange(id, "Suspended");
    expect((await call("POST", `/instances/${id}/suspend`)).status).toBe(500);
    expect((await call("POST", `/instances/${id}/resume?reason=back`)).status).toBe(202);
    const events = (await takeControlMessages(served.storage, id)).map((message) => message.kind === "orchestration" && message.event);
    expect(events).toEqual([
      { EventType: EventType.ExecutionSuspended, Reason: "lunch" },
      { EventType: EventType.ExecutionResumed, Reason: "back" },
    ]);
    expect((await call("POST", `/instances/${newId("nobody")}/suspend`)).status).toBe(404);
    const done = newId("pause-done");
    await arrange(done, "Failed");
    expect((await call("POST", `/instances/${done}/resume`)).status).toBe(410);
  });

  it("answers a rewind with 501 for a failed instance, 410 for a completed one and 500 for a running one", async () => {
    const failed = newId("rw-failed");
    const completed = newId("rw-completed");
    const running = newId("rw-running");
    await arrange(failed, "Failed");
    await arrange(completed, "Completed");
    await arrange(running, "Running");
    const notSupported = await call("POST", `/instances/${failed}/rewind?reason=again`);
    expect(notSupported.status).toBe(501);
    expect(notSupported.json).toBe("The rewind operation is not supported by the underlying storage provider.");
    expect((await call("POST", `/instances/${completed}/rewind`)).status).toBe(410);
    expect((await call("POST", `/instances/${running}/rewind`)).status).toBe(500);
  });
});

describe("restart: POST instances/{id}/restart", () => {
  it("starts the orchestrator again under a new id by default, or the same id when asked", async () => {
    const id = newId("again");
    await arrange(id, "Completed", { name: "Approval", input: '{"n":1}' });
    const fresh = await call("POST", `/instances/${id}/restart`);
    expect(fresh.status).toBe(202);
    const newInstance = (fresh.json as { id: string }).id;
    expect(newInstance).toMatch(/^[0-9a-f]{32}$/);
    expect(await served.storage.getInstance(newInstance)).toMatchObject({ name: "Approval", input: '{"n":1}', runtimeStatus: "Pending" });

    const same = await call("POST", `/instances/${id}/restart?restartWithNewInstanceId=false`);
    expect(same.status).toBe(202);
    expect(same.json).toMatchObject({ id });
    expect(same.headers.get("location")).toContain(`/instances/${id}?`);
    expect((await served.storage.getInstance(id))?.runtimeStatus).toBe("Pending");
    for (const instanceId of [id, newInstance]) expect(await takeControlMessages(served.storage, instanceId)).toHaveLength(1);
  });

  it("answers 400 for an unknown instance, and 500 for restarting a running one under its id", async () => {
    const unknown = newId("no-restart");
    const answer = await call("POST", `/instances/${unknown}/restart`);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      errorBody("InstanceId does not match a valid orchestration instance.", `An orchestrastion with the instanceId ${unknown} was not found.`),
    );
    const running = newId("running-restart");
    await arrange(running, "Running");
    expect((await call("POST", `/instances/${running}/restart?restartWithNewInstanceId=false`)).status).toBe(500);
  });
});

describe("purge: DELETE instances/{id} and DELETE instances/?filters", () => {
  it("purges one instance: 200 with the count, then 404", async () => {
    const id = newId("purge");
    await arrange(id, "Completed");
    const answer = await call("DELETE", `/instances/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"instancesDeleted":1}');
    expect(await served.storage.getInstance(id)).toBeUndefined();
    expect((await call("DELETE", `/instances/${id}`)).status).toBe(404);
  });

  it("purges by filter: 200 with the count, 404 when nothing matched, 400 without createdTimeFrom", async () => {
    const prefix = newId("pf");
    await Promise.all([
      arrange(`${prefix}-a`, "Completed", { createdTime: "2034-06-01T00:00:00.000Z" }),
      arrange(`${prefix}-b`, "Terminated", { createdTime: "2034-06-01T00:01:00.000Z" }),
      arrange(`${prefix}-c`, "Running", { createdTime: "2034-06-01T00:02:00.000Z" }),
    ]);
    const range = "createdTimeFrom=2034-06-01T00:00:00Z&createdTimeTo=2034-06-01T00:05:00Z";
    const answer = await call("DELETE", `/instances/?${range}&runtimeStatus=Completed,Terminated`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ instancesDeleted: 2 });
    expect((await served.storage.getInstance(`${prefix}-c`))?.runtimeStatus).toBe("Running");
    expect((await call("DELETE", `/instances?${range}&runtimeStatus=Completed`)).status).toBe(404);

    const missing = await call("DELETE", "/instances?runtimeStatus=Completed");
    expect(missing.status).toBe(400);
    expect(missing.json).toBe("Please provide value for 'createdTimeFrom' parameter.");
  });
});

describe("entities", () => {
  const entity = entityBuilder({ state: '{"value":1}', lastModifiedTime: "2032-02-03T04:00:00.120Z" });

  it("signals: 202 and an operation message, JSON or not, DELETE as the delete operation", async () => {
    const key = newId("sig");
    expect((await call("POST", `/entities/Counter/${key}?op=add`, { json: 5 })).status).toBe(202);
    expect((await call("POST", `/entities/counter/${key}?op=note`, { data: "hi", headers: { "Content-Type": "text/plain" } })).status).toBe(202);
    expect((await call("POST", `/entities/COUNTER/${key}?op=reset`)).status).toBe(202);
    expect((await call("DELETE", `/entities/Counter/${key}`)).status).toBe(202);
    const messages = await takeControlMessages(served.storage, `@counter@${key}`);
    expect(messages.map((message) => message.kind === "entity" && [message.operation, message.input, message.isSignal])).toEqual([
      ["add", "5", true],
      ["note", '"hi"', true],
      ["reset", undefined, true],
      ["delete", undefined, true],
    ]);
  });

  it("answers 400 with a bare message for bad JSON and for entities the app does not have", async () => {
    const key = newId("bad");
    const broken = await call("POST", `/entities/Counter/${key}?op=add`, { data: "{", headers: { "Content-Type": "application/json" } });
    expect(broken.status).toBe(400);
    expect((broken.json as { Message: string }).Message).toMatch(/^Could not parse JSON content: /);
    expect(broken.json).not.toHaveProperty("ExceptionMessage");
    const unknown = await call("POST", `/entities/Nope/${key}?op=add`);
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      Message:
        "The function 'nope' doesn't exist, is disabled, or is not an entity function. Additional info: " +
        "The following are the known entity functions: 'Counter'.",
    });
    expect((await call("POST", "/entities")).status).toBe(400);
    expect(await takeControlMessages(served.storage, `@counter@${key}`)).toEqual([]);
  });

  it("reads an entity's state: 200 while it exists, 404 otherwise; '$' is the empty key", async () => {
    const key = newId("read");
    await served.storage.writeEntity(entity("counter", key, { state: '{"value":7}' }));
    const answer = await call("GET", `/entities/Counter/${key}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ value: 7 });
    expect((await call("GET", `/entities/Counter/${newId("none")}`)).status).toBe(404);
    const deleted = newId("deleted");
    await served.storage.writeEntity(entity("counter", deleted, { exists: false, state: undefined }));
    expect((await call("GET", `/entities/Counter/${deleted}`)).status).toBe(404);

    const name = `blank${Date.now().toString(36)}`;
    await served.storage.writeEntity(entity(name, "", { state: "3" }));
    expect((await call("GET", `/entities/${name}/$`)).json).toBe(3);
  });

  it("lists existing entities, with state only when asked for, paging with the continuation header", async () => {
    const name = `tally${Date.now().toString(36)}`;
    await Promise.all([
      served.storage.writeEntity(entity(name, "a")),
      served.storage.writeEntity(entity(name, "b", { exists: false, state: undefined })),
      served.storage.writeEntity(entity(name, "c")),
      served.storage.writeEntity(entity(name, "d")),
    ]);
    const first = await call("GET", `/entities/${name}`);
    expect(first.status).toBe(200);
    expect(first.json).toEqual(
      ["a", "c", "d"].map((key) => ({ entityId: { name, key }, lastOperationTime: "2032-02-03T04:00:00.12Z", state: null })),
    );
    const states: unknown[] = [];
    let token = "";
    let pages = 0;
    do {
      const answer = await call("GET", `/entities/${name}/?fetchState=true&top=2`, { headers: token === "" ? {} : { "x-ms-continuation-token": token } });
      states.push(...(answer.json as { state: unknown }[]).map((status) => status.state));
      token = answer.headers.get("x-ms-continuation-token") ?? "";
      pages++;
    } while (token !== "");
    expect(states).toEqual([{ value: 1 }, { value: 1 }, { value: 1 }]);
    expect(pages).toBeGreaterThan(1);

    const all = await call("GET", "/entities/?lastOperationTimeFrom=2032-02-03T03:59:00Z&lastOperationTimeTo=2032-02-03T04:01:00Z");
    expect((all.json as { entityId: { name: string } }[]).filter((status) => status.entityId.name === name)).toHaveLength(3);
  });
});

describe("routing", () => {
  it("answers 404 for unknown routes and for known routes with another method (the extension has no 405)", async () => {
    const id = newId("route");
    await arrange(id, "Running");
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/nothing"],
      ["GET", "/orchestrators/HelloSequence"],
      ["POST", "/orchestrators"],
      ["PUT", `/instances/${id}`],
      ["POST", `/instances/${id}`],
      ["GET", `/instances/${id}/terminate`],
      ["POST", `/instances/${id}/explode`],
      ["POST", `/instances/${id}/raiseEvent`],
      ["GET", `/instances/${id}/raiseEvent/E`],
      ["POST", `/instances/${id}/raiseEvent/E/extra`],
      ["PUT", "/entities/Counter/k"],
      ["GET", "/entities/Counter/k/extra"],
    ] as const) {
      expect([method, path, (await call(method, path)).status]).toEqual([method, path, 404]);
    }
    expect(await takeControlMessages(served.storage, id)).toEqual([]);
  });

  it("matches the route's words in any case and ignores keys, task hub and connection in the query", async () => {
    const id = newId("case");
    await arrange(id, "Running");
    const answer = await fetch(`${served.origin}/runtime/webhooks/DurableTask/Instances/${id}?taskHub=Other&connection=X&code=wrong`);
    expect(answer.status).toBe(202);
  });

  it("answers 404 outside the webhook", async () => {
    const status = async (path: string): Promise<number> => (await served.api.handle(new Request(`${served.origin}${path}`))).status;
    expect(await status("/runtime/webhooks/durabletask/instances")).toBe(200);
    expect(await status("/runtime/webhooks/durabletaskx/instances")).toBe(404);
    expect(await status("/api/HttpStart")).toBe(404);
  });
});
