import { beforeAll, describe, expect, it } from "vitest";
import type { HttpRequestInit } from "@azure/functions";
import { invokeDurableHttpHandler, invokeHttp, loadApp, type LogLine } from "../support/functionsHost.js";
import { useFakeDurableExtension, type FakeInstance } from "../support/fakeDurableExtension.js";
import { createCounterUpdateHandler } from "../../src/functions/counter.js";
import { withJsonErrors } from "../../src/http/jsonResponses.js";

const ORIGIN = "https://patterns.example.net";
const COUNTER_ID_RULE = "The counter id must be 1 to 100 characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.";

const fake = useFakeDurableExtension();

beforeAll(async () => {
  delete process.env.WEBSITE_HOSTNAME;
  await loadApp();
});

function readCounter(id?: string) {
  return invokeHttp(
    "CounterRead",
    {
      method: "GET",
      url: `${ORIGIN}/api/counter${id === undefined ? "" : `/${encodeURIComponent(id)}`}`,
      params: id === undefined ? {} : { id },
    },
    fake.clientData(),
  );
}

interface UpdateOptions {
  body?: string;
  query?: Record<string, string>;
}

function updateRequest(target: string, operation: string | undefined, options: UpdateOptions = {}): HttpRequestInit {
  const path = `counter/${encodeURIComponent(target)}${operation === undefined ? "" : `/${encodeURIComponent(operation)}`}`;
  const query = options.query ?? {};
  const search = new URLSearchParams(query).toString();
  return {
    method: "POST",
    url: `${ORIGIN}/api/${path}${search === "" ? "" : `?${search}`}`,
    params: operation === undefined ? { target } : { target, operation },
    query,
    ...(options.body === undefined ? {} : { body: { string: options.body } }),
  };
}

const update = (target: string, operation?: string, options?: UpdateOptions) =>
  invokeHttp("CounterUpdate", updateRequest(target, operation, options), fake.clientData());

const badRequest = (error: string, message: string) => ({ status: 400, body: { error, message } });

/** Plays CounterEntityCall's part: completes each instance it starts with the given output. */
function completeEntityCalls(output: (input: { id: string; operation: string; amount?: number }) => unknown): void {
  fake.onStart = (instance: FakeInstance) => {
    if (instance.name !== "CounterEntityCall") return;
    instance.runtimeStatus = "Completed";
    instance.output = output(instance.input as { id: string; operation: string; amount?: number });
  };
}

describe("GET counter and counter/{id} (CounterRead)", () => {
  it("reads the default counter as 0 before it was ever written", async () => {
    const response = await readCounter();
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "counter", value: 0 });
  });

  it("reads the default counter's state once it exists", async () => {
    fake.setEntity("Counter", "counter", 12);
    const response = await readCounter();
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "counter", value: 12 });
  });

  it("reads an existing counter by id", async () => {
    fake.setEntity("Counter", "visits", 41);
    const response = await readCounter("visits");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "visits", value: 41 });
  });

  it("reads an existing counter whose state is 0", async () => {
    fake.setEntity("Counter", "zero", 0);
    expect((await readCounter("zero")).body).toEqual({ id: "zero", value: 0 });
  });

  it("answers 404 counter_not_found for an id that does not exist", async () => {
    const response = await readCounter("nobody");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "counter_not_found", message: "No counter with id 'nobody' exists." });
  });

  it.each(["add", "reset"])("refuses the operation name '%s' as a counter id with 400 reserved_id", async (id) => {
    const response = await readCounter(id);
    expect(response).toMatchObject(badRequest("reserved_id", `'${id}' names an operation and cannot be used as a counter id.`));
  });

  it.each(["a#b", "カウンター", "@counter", "..", "a b"])("refuses the malformed id %j with 400 invalid_id", async (id) => {
    const response = await readCounter(id);
    expect(response).toMatchObject(badRequest("invalid_id", COUNTER_ID_RULE));
  });
});

describe("POST counter/... (CounterUpdate), signalling", () => {
  it("adds the raw body of counter/{id} (the reference curl's -d 10)", async () => {
    const response = await update("visits", undefined, { body: "10" });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 10 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "visits", operation: "add", input: 10 }]);
  });

  it('adds {"value": n} from the body of counter/{id}', async () => {
    const response = await update("visits", undefined, { body: JSON.stringify({ value: 10 }) });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 10 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "visits", operation: "add", input: 10 }]);
  });

  it('accepts {"value": "-7"} as a numeric string', async () => {
    const response = await update("visits", undefined, { body: JSON.stringify({ value: "-7" }) });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: -7 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "visits", operation: "add", input: -7 }]);
  });

  it("adds 1 to counter/{id} when no amount is given", async () => {
    const response = await update("visits");
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 1 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "visits", operation: "add", input: 1 }]);
  });

  it("adds ?value= to the default counter on counter/add", async () => {
    const response = await update("add", undefined, { query: { value: "3" } });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "counter", operation: "add", value: 3 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "counter", operation: "add", input: 3 }]);
  });

  it("adds the body's value to the default counter on counter/add", async () => {
    const response = await update("add", undefined, { body: JSON.stringify({ value: 3 }) });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "counter", operation: "add", value: 3 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "counter", operation: "add", input: 3 }]);
  });

  it("adds 1 to the default counter on counter/add with no value", async () => {
    const response = await update("add");
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "counter", operation: "add", value: 1 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "counter", operation: "add", input: 1 }]);
  });

  it("resets the default counter on counter/reset, with no input", async () => {
    const response = await update("reset");
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "counter", operation: "reset" });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "counter", operation: "reset", input: undefined }]);
    expect(fake.signals[0]).not.toHaveProperty("input", null);
  });

  it("adds ?value= to counter/{id}/add, negative amounts included", async () => {
    const response = await update("visits", "add", { query: { value: "-4" } });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: -4 });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "visits", operation: "add", input: -4 }]);
  });

  it("adds the largest safe integer", async () => {
    const response = await update("visits", "add", { query: { value: "9007199254740991" } });
    expect(response.status).toBe(202);
    expect(fake.signals).toEqual([{ entity: "Counter", key: "visits", operation: "add", input: 9007199254740991 }]);
  });

  it("resets counter/{id}/reset", async () => {
    const response = await update("visits", "reset");
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "visits", operation: "reset" });
    expect(fake.signals).toEqual([{ entity: "Counter", key: "visits", operation: "reset", input: undefined }]);
  });

  it("signals with ?wait=false as without it", async () => {
    const response = await update("visits", "add", { query: { value: "2", wait: "false" } });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 2 });
    expect(fake.signals).toHaveLength(1);
    expect(fake.starts).toEqual([]);
  });

  it.each([
    ["value=1.5", "visits", "add", { query: { value: "1.5" } }, badRequest("invalid_amount", "value: '1.5' is not an integer.")],
    ["value=abc", "visits", "add", { query: { value: "abc" } }, badRequest("invalid_amount", "value: 'abc' is not an integer.")],
    ["value=", "visits", "add", { query: { value: "" } }, badRequest("invalid_amount", "value: '' is not an integer.")],
    [
      "value=9007199254740993",
      "visits",
      "add",
      { query: { value: "9007199254740993" } },
      badRequest("invalid_amount", "value: 9007199254740993 is beyond the safe integer range."),
    ],
    [
      "value=12345678901234567 (17 digits)",
      "visits",
      "add",
      { query: { value: "12345678901234567" } },
      badRequest("invalid_amount", "value: '12345678901234567' is not an integer."),
    ],
    ["body 1e309", "visits", undefined, { body: "1e309" }, badRequest("invalid_amount", "value: Infinity is not a safe integer.")],
    ["body 1.5", "visits", undefined, { body: "1.5" }, badRequest("invalid_amount", "value: 1.5 is not a safe integer.")],
    ["body NaN", "visits", undefined, { body: "NaN" }, badRequest("invalid_json", "The body is not valid JSON.")],
    ["invalid JSON", "visits", undefined, { body: "{value: 3}" }, badRequest("invalid_json", "The body is not valid JSON.")],
    ["a JSON string body", "visits", undefined, { body: '"10"' }, badRequest("invalid_amount", 'The body must be an integer or {"value": n}.')],
    ["an array body", "add", undefined, { body: "[3]" }, badRequest("invalid_amount", 'The body must be an integer or {"value": n}.')],
    ["an object without value", "add", undefined, { body: "{}" }, badRequest("invalid_body", 'The body needs a "value" field.')],
    [
      "an object with another field",
      "add",
      undefined,
      { body: JSON.stringify({ value: 1, by: 2 }) },
      badRequest("invalid_body", "Unexpected field 'by'; send {\"value\": n}."),
    ],
    [
      "both ?value= and a body",
      "visits",
      "add",
      { query: { value: "1" }, body: "2" },
      badRequest("ambiguous_amount", "Give the amount either as ?value= or in the body, not both."),
    ],
    ["counter/x/get", "x", "get", {}, badRequest("unknown_operation", "Unknown counter operation 'get'. Use add or reset.")],
    [
      "counter/add/add",
      "add",
      "add",
      {},
      badRequest("reserved_id", "'add' names an operation and cannot be used as a counter id."),
    ],
    [
      "counter/reset/add",
      "reset",
      "add",
      {},
      badRequest("reserved_id", "'reset' names an operation and cannot be used as a counter id."),
    ],
    [
      "counter/a%b",
      "a%b",
      undefined,
      {},
      badRequest("invalid_id", COUNTER_ID_RULE),
    ],
    ["counter/ümlaut", "ümlaut", undefined, {}, badRequest("invalid_id", COUNTER_ID_RULE)],
    ["counter/@apples/add", "@apples", "add", {}, badRequest("invalid_id", COUNTER_ID_RULE)],
    ["wait=maybe", "visits", "add", { query: { wait: "maybe" } }, badRequest("invalid_query", "wait must be true or false.")],
    [
      "a value on counter/reset",
      "reset",
      undefined,
      { query: { value: "3" } },
      badRequest("unexpected_amount", "reset takes no value: send no body and no ?value=."),
    ],
    [
      "a body on counter/{id}/reset",
      "visits",
      "reset",
      { body: JSON.stringify({ value: 1 }) },
      badRequest("unexpected_amount", "reset takes no value: send no body and no ?value=."),
    ],
    [
      "a body over 64 KiB on counter/{id}/reset",
      "visits",
      "reset",
      { body: "x".repeat(1024 * 1024) },
      { status: 413, body: { error: "body_too_large", message: "The body is larger than 64 KiB." } },
    ],
    [
      "a body over 64 KiB",
      "visits",
      undefined,
      { body: `${" ".repeat(64 * 1024)}1` },
      { status: 413, body: { error: "body_too_large", message: "The body is larger than 64 KiB." } },
    ],
  ] as [string, string, string | undefined, UpdateOptions, { status: number; body: unknown }][])(
    "refuses %s and signals nothing",
    async (_case, target, operation, options, expected) => {
      const response = await update(target, operation, options);
      expect({ status: response.status, body: response.body }).toEqual(expected);
      expect(fake.signals).toEqual([]);
      expect(fake.starts).toEqual([]);
    },
  );
});

describe("POST counter/...?wait=true (CounterUpdate through CounterEntityCall)", () => {
  it("answers 200 with the value the operation produced", async () => {
    completeEntityCalls((input) => ({ ok: true, value: 100 + (input.amount ?? 0) }));
    const response = await update("visits", undefined, { body: "10", query: { wait: "true" } });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 110 });
    expect(fake.starts).toEqual([
      { name: "CounterEntityCall", instanceId: "generated-1", input: { id: "visits", operation: "add", amount: 10 } },
    ]);
    expect(fake.signals).toEqual([]);
    // Its answer read, the instance is purged rather than left in the task hub.
    expect(fake.purges).toEqual(["generated-1"]);
    expect(fake.instances.has("generated-1")).toBe(false);
  });

  it("runs a reset without an amount", async () => {
    completeEntityCalls(() => ({ ok: true, value: 0 }));
    const response = await update("reset", undefined, { query: { wait: "true" } });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "counter", operation: "reset", value: 0 });
    expect(fake.starts).toEqual([
      { name: "CounterEntityCall", instanceId: "generated-1", input: { id: "counter", operation: "reset" } },
    ]);
    expect(fake.purges).toEqual(["generated-1"]);
  });

  it("answers 409 operation_refused with the entity's reason", async () => {
    const reason = "add refused: Adding 1 to 9007199254740991 would leave the safe integer range (±9007199254740991).";
    completeEntityCalls(() => ({ ok: false, reason }));
    const response = await update("visits", "add", { query: { wait: "true" } });

    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: "operation_refused", message: reason });
    expect(fake.signals).toEqual([]);
    expect(fake.purges).toEqual(["generated-1"]);
  });

  it("answers a JSON 500 when CounterEntityCall itself failed, logging the failure before purging the instance", async () => {
    fake.onStart = (instance) => {
      instance.runtimeStatus = "Failed";
      instance.output = "Orchestrator function 'CounterEntityCall' failed: boom";
    };
    const logs: LogLine[] = [];
    const response = await invokeHttp("CounterUpdate", updateRequest("visits", "add", { query: { wait: "true" } }), fake.clientData(), logs);

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: "internal_error",
      message: "The request could not be completed. The error has been logged.",
    });
    expect(fake.purges).toEqual(["generated-1"]);
    expect(logs).toHaveLength(1);
    expect(logs[0]?.level).toBe("error");
    expect(logs[0]?.message).toContain(
      "The CounterEntityCall instance 'generated-1' ended Failed: Orchestrator function 'CounterEntityCall' failed: boom",
    );
  });

  it("still answers with the value when the purge fails, and logs a warning", async () => {
    completeEntityCalls(() => ({ ok: true, value: 3 }));
    fake.failPurgesWith = 500;
    const logs: LogLine[] = [];
    const response = await invokeHttp("CounterUpdate", updateRequest("visits", "add", { query: { wait: "true", value: "3" } }), fake.clientData(), logs);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 3 });
    expect(fake.purges).toEqual([]);
    expect(logs).toEqual([
      { level: "warning", message: expect.stringMatching(/^Could not purge the finished CounterEntityCall instance 'generated-1': /) as unknown },
    ]);
  });

  it("takes a purge that finds the instance already gone (404) as done, without a warning", async () => {
    completeEntityCalls(() => ({ ok: true, value: 4 }));
    fake.failPurgesWith = 404;
    const logs: LogLine[] = [];
    const response = await invokeHttp("CounterUpdate", updateRequest("visits", "add", { query: { wait: "true", value: "4" } }), fake.clientData(), logs);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 4 });
    expect(logs).toEqual([]);
  });

  it("does not purge an instance that has not finished when the wait ends", async () => {
    const handler = withJsonErrors(createCounterUpdateHandler({ pollMs: 10, timeoutMs: 50 }));
    const response = await invokeDurableHttpHandler(
      "CounterUpdate",
      handler,
      updateRequest("visits", "add", { query: { wait: "true" } }),
      fake.clientData(),
    );

    expect(response.status).toBe(202);
    expect(fake.purges).toEqual([]);
    expect(fake.instances.get("generated-1")?.runtimeStatus).toBe("Pending");
  });

  it("answers 202 pointing at the counter's own route when the operation does not finish in time", async () => {
    const handler = withJsonErrors(createCounterUpdateHandler({ pollMs: 10, timeoutMs: 100 }));
    const started = Date.now();
    const response = await invokeDurableHttpHandler(
      "CounterUpdate",
      handler,
      updateRequest("visits", "add", { query: { value: "5", wait: "true" } }),
      fake.clientData(),
    );

    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    const location = `${ORIGIN}/api/counter/visits`;
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(location);
    expect(response.headers["retry-after"]).toBe("10");
    expect(response.body).toEqual({ id: "visits", operation: "add", location });
    // Not the extension's status URL: it carries the task hub's system key.
    expect(JSON.stringify(response)).not.toContain("code=");
    expect(fake.starts).toEqual([
      { name: "CounterEntityCall", instanceId: "generated-1", input: { id: "visits", operation: "add", amount: 5 } },
    ]);
    expect(fake.signals).toEqual([]);
  });

  it("answers once the operation finishes while it polls", async () => {
    fake.onStart = (instance) => {
      setTimeout(() => {
        instance.runtimeStatus = "Completed";
        instance.output = { ok: true, value: 7 };
      }, 50);
    };
    const handler = withJsonErrors(createCounterUpdateHandler({ pollMs: 10, timeoutMs: 2_000 }));
    const response = await invokeDurableHttpHandler(
      "CounterUpdate",
      handler,
      updateRequest("visits", "add", { query: { value: "7", wait: "true" } }),
      fake.clientData(),
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: "visits", operation: "add", value: 7 });
    expect(fake.purges).toEqual(["generated-1"]);
  });
});
