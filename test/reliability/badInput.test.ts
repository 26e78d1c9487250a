import { beforeAll, describe, expect, it } from "vitest";
import { describeWithOwnHost, useE2eTarget } from "../e2e/support/e2eTarget.js";
import { counterUrl, decide, e3CounterUrl, e3Operation, startAndCheck, uniqueId } from "../e2e/support/app.js";
import { describeResult, expectJson, expectJsonError, get, jsonObject, post, send, type HttpResult, type SendOptions } from "../e2e/support/http.js";
import { readStatus, waitForCompletion, waitForStatus, type CheckStatusPayload } from "../e2e/support/durable.js";
import { registeredHttpRoutes, TRIED_METHODS, type RegisteredHttpRoute } from "./support/registeredRoutes.js";
import { changesBetween, snapshotTaskHub, type TaskHubSnapshot } from "./support/taskHubSnapshot.js";
import { recordFigures } from "./support/figures.js";

/**
 * Issue 4, part 5: bad input against every route of the app, over real HTTP, on the local host with
 * batched delivery (its default). Each row of the matrix below is one request the app must refuse
 * with the 4xx README documents ({"error": "<code>", "message": "..."}), or, for a method a route
 * does not take, the host's 405. Afterwards the task hub must hold exactly what it held before:
 * nothing started, raised or signalled by a refused request.
 */

const target = useE2eTarget({ name: "badInput" });

// ---------------------------------------------------------------------------------------------
// Fixtures: real instances and entities for the refusals that need one (a finished counter, a
// decided approval), created in beforeAll under these ids.
// ---------------------------------------------------------------------------------------------

/** A running E3_Counter started at LIVE_COUNTER_VALUE; no operation is ever applied to it. */
const LIVE_COUNTER = uniqueId("live");
const LIVE_COUNTER_VALUE = 5;
/** An E3_Counter that has ended ('end'): Completed. */
const ENDED_COUNTER = uniqueId("ended");
/** A Counter entity holding APPLES_VALUE. */
const APPLES = uniqueId("apples");
const APPLES_VALUE = 7;
/** An Approval of ana's, which only ben may decide, still waiting. */
const WAITING_APPROVAL = uniqueId("waiting");
/** An Approval already decided (approved by ben): Completed. */
const DECIDED_APPROVAL = uniqueId("decided");
/** Valid ids that name nothing, and must still name nothing after the matrix. */
const NOBODY = uniqueId("nobody");
const FRESH_COUNTER = uniqueId("fresh");
const FRESH_INSTANCE = uniqueId("fresh");

const APPROVAL_REQUEST = { amount: 1200, requester: "ana", approver: "ben" } as const;

// ---------------------------------------------------------------------------------------------
// The matrix.
// ---------------------------------------------------------------------------------------------

/** One request the app must refuse, and how README says it refuses it. */
interface RefusalCase {
  /** The registered function whose route the request reaches. */
  route: string;
  /** What is wrong with it, in a few words. */
  input: string;
  method: "GET" | "POST";
  /** Path and query, with every id percent-encoded as a client would send it. */
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: 400 | 403 | 404 | 409 | 410 | 413;
  error: string;
}

/** A method the route does not take: the host answers, before the app runs. */
interface MethodCase {
  route: string;
  method: string;
  path: string;
  /** Every method some route takes on this path, which the Allow header must list. */
  allow: readonly string[];
}

const enc = encodeURIComponent;
const MIB = 1024 * 1024;
/** A valid JSON string of 1 MiB: too large whatever a route would make of it. */
const ONE_MIB_BODY = JSON.stringify("x".repeat(MIB));

/** Ids no route may take (README: 1–100 ASCII letters, digits and _ . : ~ -, starting with a letter or digit). */
const malformedIds: ReadonlyArray<readonly [input: string, id: string]> = [
  ["unicode id", "café-✓"],
  ["1,000-character id", "a".repeat(1000)],
  ["id with /", "a/b"],
  ["id with \\", "a\\b"],
  ["id with #", "a#b"],
  ["id with ?", "a?b"],
  ["id with %", "a%b"],
  ["id with NUL", "a\u0000b"],
  ["id with a line feed", "a\nb"],
  ["id with DEL", "a\u007fb"],
  ["id with the entity prefix @", "@counter@x"],
];

/** Each malformed id in the place `pathFor` puts it: 400 invalid_id. */
function malformedIdCases(route: string, method: RefusalCase["method"], pathFor: (encodedId: string) => string, body?: string): RefusalCase[] {
  return malformedIds.map(([input, id]) => ({
    route,
    input,
    method,
    path: pathFor(enc(id)),
    ...(body === undefined ? {} : { body }),
    status: 400,
    error: "invalid_id",
  }));
}

type BodyRow = readonly [input: string, body: string, status: RefusalCase["status"], error: string];

function bodyCases(route: string, path: string, rows: readonly BodyRow[], inputPrefix = ""): RefusalCase[] {
  return rows.map(([input, body, status, error]) => ({ route, input: `${inputPrefix}${input}`, method: "POST", path, body, status, error }));
}

const tooLarge: BodyRow = ["1 MiB body", ONE_MIB_BODY, 413, "body_too_large"];

/** E1_HelloSequence: an optional list of 1 to 20 city names. */
const citiesRows: readonly BodyRow[] = [
  ["invalid JSON", '["Paris",', 400, "invalid_json"],
  ["a string, not a list", '"Paris"', 400, "invalid_input"],
  ["an object, not a list", '{"cities":["Paris"]}', 400, "invalid_input"],
  ["an empty list", "[]", 400, "invalid_input"],
  ["a number as a city", "[42]", 400, "invalid_input"],
  ["an empty city", '[""]', 400, "invalid_input"],
  ["21 cities", JSON.stringify(Array.from({ length: 21 }, (_, index) => `City${index}`)), 400, "invalid_input"],
  ["a 101-character city", JSON.stringify(["c".repeat(101)]), 400, "invalid_input"],
  tooLarge,
];

/** E2_BackupSiteContent: a directory path as a JSON string. */
const directoryRows: readonly BodyRow[] = [
  ["empty body", "", 400, "invalid_input"],
  ["invalid JSON", '"/tmp', 400, "invalid_json"],
  ["a number", "42", 400, "invalid_input"],
  ["an empty path", '""', 400, "invalid_input"],
  ["a path with a NUL", JSON.stringify("/tmp/a\u0000b"), 400, "invalid_input"],
  ["a 1,025-character path", JSON.stringify(`/${"d".repeat(1024)}`), 400, "invalid_input"],
  tooLarge,
];

/** E3_Counter: an optional safe integer start value. */
const counterStartRows: readonly BodyRow[] = [
  ["invalid JSON (bare NaN)", "NaN", 400, "invalid_json"],
  ["a fraction", "1.5", 400, "invalid_input"],
  ['"NaN"', '"NaN"', 400, "invalid_input"],
  ['"Infinity"', '"Infinity"', 400, "invalid_input"],
  ["1e309", "1e309", 400, "invalid_input"],
  ["2^53 + 1", "9007199254740993", 400, "invalid_input"],
  ["a numeric string", '"5"', 400, "invalid_input"],
  ["an object", "{}", 400, "invalid_input"],
  tooLarge,
];

/** Approval: {amount, requester, approver?, timeoutHours?}. */
const approvalRequestRows: readonly BodyRow[] = [
  ["empty body", "", 400, "invalid_body"],
  ["invalid JSON", '{"amount":5,', 400, "invalid_json"],
  ["a list", "[]", 400, "invalid_body"],
  ["a string", '"approve me"', 400, "invalid_body"],
  ["no fields", "{}", 400, "invalid_amount"],
  ['amount "NaN"', '{"amount":"NaN","requester":"ana"}', 400, "invalid_amount"],
  ['amount "Infinity"', '{"amount":"Infinity","requester":"ana"}', 400, "invalid_amount"],
  ["amount 1e309", '{"amount":1e309,"requester":"ana"}', 400, "invalid_amount"],
  ["amount 2^53 + 1", '{"amount":9007199254740993,"requester":"ana"}', 400, "invalid_amount"],
  ["a negative amount", '{"amount":-1,"requester":"ana"}', 400, "invalid_amount"],
  ["no requester", '{"amount":5}', 400, "invalid_requester"],
  ["a number as requester", '{"amount":5,"requester":42}', 400, "invalid_requester"],
  ["a 201-character requester", JSON.stringify({ amount: 5, requester: "r".repeat(201) }), 400, "invalid_requester"],
  ["a requester with a control character", JSON.stringify({ amount: 5, requester: "ana\u0007" }), 400, "invalid_requester"],
  ["a requester of zero-width spaces", JSON.stringify({ amount: 5, requester: "\u200b\u200b" }), 400, "invalid_requester"],
  ["the approver is the requester", '{"amount":5,"requester":"ana","approver":" ANA "}', 400, "approver_is_requester"],
  ['timeoutHours "72"', '{"amount":5,"requester":"ana","timeoutHours":"72"}', 400, "invalid_timeout"],
  ["timeoutHours 0", '{"amount":5,"requester":"ana","timeoutHours":0}', 400, "invalid_timeout"],
  ["timeoutHours 1e309", '{"amount":5,"requester":"ana","timeoutHours":1e309}', 400, "invalid_timeout"],
  tooLarge,
];

const HEALTH_URL = "https://example.com/health";

/** Monitor: {url, expect: {status?, bodyContains?}, intervalSeconds?, expiryMinutes?}. Schemes and hosts: security.test.ts. */
const monitorRequestRows: readonly BodyRow[] = [
  ["empty body", "", 400, "invalid_body"],
  ["invalid JSON", '{"url":', 400, "invalid_json"],
  ["no url", '{"expect":{"status":200}}', 400, "invalid_url"],
  ["a number as url", '{"url":42,"expect":{"status":200}}', 400, "invalid_url"],
  ["a relative url", '{"url":"/health","expect":{"status":200}}', 400, "invalid_url"],
  ["no expect", JSON.stringify({ url: HEALTH_URL }), 400, "invalid_body"],
  ["an empty expect", JSON.stringify({ url: HEALTH_URL, expect: {} }), 400, "invalid_expect"],
  ["a fractional expect.status", JSON.stringify({ url: HEALTH_URL, expect: { status: 200.5 } }), 400, "invalid_expect"],
  ['expect.status "200"', JSON.stringify({ url: HEALTH_URL, expect: { status: "200" } }), 400, "invalid_expect"],
  ["intervalSeconds 4", JSON.stringify({ url: HEALTH_URL, expect: { status: 200 }, intervalSeconds: 4 }), 400, "invalid_intervalSeconds"],
  ["a fractional intervalSeconds", JSON.stringify({ url: HEALTH_URL, expect: { status: 200 }, intervalSeconds: 30.5 }), 400, "invalid_intervalSeconds"],
  ['intervalSeconds "NaN"', JSON.stringify({ url: HEALTH_URL, expect: { status: 200 }, intervalSeconds: "NaN" }), 400, "invalid_intervalSeconds"],
  ["expiryMinutes 1e309", `{"url":"${HEALTH_URL}","expect":{"status":200},"expiryMinutes":1e309}`, 400, "invalid_expiryMinutes"],
  ["expiryMinutes 2^53 + 1", `{"url":"${HEALTH_URL}","expect":{"status":200},"expiryMinutes":9007199254740993}`, 400, "invalid_expiryMinutes"],
  tooLarge,
];

/** Names the starters must not start: unknown, internal, other kinds of function, wrongly cased. */
const unknownOrchestratorNames: ReadonlyArray<readonly [input: string, name: string]> = [
  ["unknown orchestrator", "Nope"],
  ["internal sub-orchestrator", "E2_BackupBatch"],
  ["internal orchestrator", "CounterEntityCall"],
  ["an activity", "E1_SayHello"],
  ["an entity", "Counter"],
  ["wrongly cased name", "e1_hellosequence"],
  ["unicode name", "Ëxample"],
  ["1,000-character name", "N".repeat(1000)],
  ["name with a control character", "E1_HelloSequence\u0001"],
];

const startPath = (name: string, instanceId?: string): string =>
  `/api/orchestrators/${enc(name)}${instanceId === undefined ? "" : `/${enc(instanceId)}`}`;

const httpStartCases: RefusalCase[] = [
  ...unknownOrchestratorNames.map(([input, name]): RefusalCase => ({ route: "HttpStart", input, method: "POST", path: startPath(name), status: 404, error: "unknown_orchestrator" })),
  ...bodyCases("HttpStart", startPath("E1_HelloSequence"), citiesRows, "E1: "),
  ...bodyCases("HttpStart", startPath("E2_BackupSiteContent"), directoryRows, "E2: "),
  ...bodyCases("HttpStart", startPath("E3_Counter"), counterStartRows, "E3: "),
  ...bodyCases("HttpStart", startPath("Approval"), approvalRequestRows, "Approval: "),
  ...bodyCases("HttpStart", startPath("Monitor"), monitorRequestRows, "Monitor: "),
];

const httpStartSingleCases: RefusalCase[] = [
  ...malformedIdCases("HttpStartSingle", "POST", (id) => `/api/orchestrators/E3_Counter/${id}`),
  ...unknownOrchestratorNames.slice(0, 3).map(([input, name]): RefusalCase => ({
    route: "HttpStartSingle",
    input,
    method: "POST",
    path: startPath(name, FRESH_INSTANCE),
    status: 404,
    error: "unknown_orchestrator",
  })),
  { route: "HttpStartSingle", input: "an id already running", method: "POST", path: startPath("E3_Counter", LIVE_COUNTER), status: 409, error: "instance_exists" },
  ...bodyCases("HttpStartSingle", startPath("E3_Counter", FRESH_INSTANCE), counterStartRows, "E3: "),
  ...bodyCases("HttpStartSingle", startPath("Approval", FRESH_INSTANCE), approvalRequestRows.slice(0, 5), "Approval: "),
  ...bodyCases("HttpStartSingle", startPath("Monitor", FRESH_INSTANCE), monitorRequestRows.slice(0, 4), "Monitor: "),
];

const e3OperationPath = (instanceId: string, op: string): string => `/api/e3counter/${enc(instanceId)}/${enc(op)}`;

const e3OperationCases: RefusalCase[] = [
  ...malformedIdCases("E3CounterOperation", "POST", (id) => `/api/e3counter/${id}/incr`),
  ...["double", "INCR", "reset", "add", "incr ", "ïncr", "o".repeat(1000), "incr\u0000"].map((op): RefusalCase => ({
    route: "E3CounterOperation",
    input: `unknown operation ${JSON.stringify(op.slice(0, 12))}${op.length > 12 ? "…" : ""}`,
    method: "POST",
    path: e3OperationPath(LIVE_COUNTER, op),
    status: 400,
    error: "unknown_operation",
  })),
  { route: "E3CounterOperation", input: "unknown instance", method: "POST", path: e3OperationPath(NOBODY, "incr"), status: 404, error: "instance_not_found" },
  { route: "E3CounterOperation", input: "an approval's id", method: "POST", path: e3OperationPath(WAITING_APPROVAL, "incr"), status: 404, error: "instance_not_found" },
  ...(["incr", "decr", "end"] as const).map((op): RefusalCase => ({
    route: "E3CounterOperation",
    input: `${op} on an ended counter`,
    method: "POST",
    path: e3OperationPath(ENDED_COUNTER, op),
    status: 410,
    error: "instance_finished",
  })),
  ...[
    ["an Idempotency-Key with a space", "order 42"],
    ["a 65-character Idempotency-Key", "k".repeat(65)],
    ["an Idempotency-Key with /", "a/b"],
    ["an empty Idempotency-Key", ""],
  ].map(([input = "", key = ""]): RefusalCase => ({
    route: "E3CounterOperation",
    input,
    method: "POST",
    path: e3OperationPath(LIVE_COUNTER, "incr"),
    headers: { "Idempotency-Key": key },
    status: 400,
    error: "invalid_idempotency_key",
  })),
  ...bodyCases("E3CounterOperation", e3OperationPath(LIVE_COUNTER, "incr"), [
    ["a JSON body", '{"amount":5}', 400, "unexpected_body"],
    ["a number body", "5", 400, "unexpected_body"],
    ["invalid JSON", "{", 400, "invalid_json"],
    tooLarge,
  ]),
];

const e3ValueCases: RefusalCase[] = [
  ...malformedIdCases("E3CounterValue", "GET", (id) => `/api/e3counter/${id}`),
  { route: "E3CounterValue", input: "unknown instance", method: "GET", path: `/api/e3counter/${NOBODY}`, status: 404, error: "instance_not_found" },
  { route: "E3CounterValue", input: "an approval's id", method: "GET", path: `/api/e3counter/${WAITING_APPROVAL}`, status: 404, error: "instance_not_found" },
];

const counterReadCases: RefusalCase[] = [
  ...malformedIdCases("CounterRead", "GET", (id) => `/api/counter/${id}`),
  { route: "CounterRead", input: "the operation name add as id", method: "GET", path: "/api/counter/add", status: 400, error: "reserved_id" },
  { route: "CounterRead", input: "the operation name reset as id", method: "GET", path: "/api/counter/reset", status: 400, error: "reserved_id" },
  { route: "CounterRead", input: "unknown counter", method: "GET", path: `/api/counter/${NOBODY}`, status: 404, error: "counter_not_found" },
];

const applesAdd = `/api/counter/${APPLES}/add`;

const counterUpdateCases: RefusalCase[] = [
  ...malformedIdCases("CounterUpdate", "POST", (id) => `/api/counter/${id}`, "1"),
  ...malformedIdCases("CounterUpdate", "POST", (id) => `/api/counter/${id}/reset`).map((row) => ({ ...row, input: `${row.input} (reset)` })),
  ...["double", "ADD", "get", "delete", "ädd", "o".repeat(1000)].map((op): RefusalCase => ({
    route: "CounterUpdate",
    input: `unknown operation ${JSON.stringify(op.slice(0, 12))}${op.length > 12 ? "…" : ""}`,
    method: "POST",
    path: `/api/counter/${APPLES}/${enc(op)}`,
    status: 400,
    error: "unknown_operation",
  })),
  ...["1.5", "NaN", "Infinity", "1e309", "9007199254740993", "abc", "", "0x10", "+-1"].map((value): RefusalCase => ({
    route: "CounterUpdate",
    input: `?value=${value}`,
    method: "POST",
    path: `${applesAdd}?value=${enc(value)}`,
    status: 400,
    error: "invalid_amount",
  })),
  { route: "CounterUpdate", input: "?value=1.5 on the default counter", method: "POST", path: "/api/counter/add?value=1.5", status: 400, error: "invalid_amount" },
  { route: "CounterUpdate", input: "?value=1.5&wait=true", method: "POST", path: `${applesAdd}?value=1.5&wait=true`, status: 400, error: "invalid_amount" },
  { route: "CounterUpdate", input: "?wait=maybe", method: "POST", path: `${applesAdd}?wait=maybe`, status: 400, error: "invalid_query" },
  { route: "CounterUpdate", input: "?wait=TRUE", method: "POST", path: `${applesAdd}?wait=TRUE`, status: 400, error: "invalid_query" },
  { route: "CounterUpdate", input: "?value= and a body", method: "POST", path: `${applesAdd}?value=1`, body: "2", status: 400, error: "ambiguous_amount" },
  ...bodyCases("CounterUpdate", applesAdd, [
    ["invalid JSON", '{"value":', 400, "invalid_json"],
    ["a fraction", '{"value":1.5}', 400, "invalid_amount"],
    ['"NaN"', '{"value":"NaN"}', 400, "invalid_amount"],
    ['"Infinity"', '{"value":"Infinity"}', 400, "invalid_amount"],
    ["1e309", '{"value":1e309}', 400, "invalid_amount"],
    ["2^53 + 1", '{"value":9007199254740993}', 400, "invalid_amount"],
    ["a bare 1e309", "1e309", 400, "invalid_amount"],
    ["a boolean", '{"value":true}', 400, "invalid_amount"],
    ["a bare string", '"10"', 400, "invalid_amount"],
    ["a list", "[10]", 400, "invalid_amount"],
    ["null", "null", 400, "invalid_amount"],
    ["no value field", "{}", 400, "invalid_body"],
    ["an unknown field", '{"value":1,"by":"ana"}', 400, "invalid_body"],
    tooLarge,
  ]),
  ...bodyCases("CounterUpdate", `/api/counter/${FRESH_COUNTER}`, [["a fraction for a counter nobody wrote", "1.5", 400, "invalid_amount"]]),
  ...bodyCases("CounterUpdate", `/api/counter/${APPLES}/reset`, [
    ["reset with a body", "5", 400, "unexpected_amount"],
    ["reset with a 1 MiB body", ONE_MIB_BODY, 413, "body_too_large"],
  ]),
  { route: "CounterUpdate", input: "reset with ?value=", method: "POST", path: `/api/counter/${APPLES}/reset?value=2`, status: 400, error: "unexpected_amount" },
];

const approvalStartCases: RefusalCase[] = bodyCases("ApprovalStart", "/api/approvals", approvalRequestRows);

const decisionPath = (instanceId: string): string => `/api/approvals/${enc(instanceId)}/decision`;
const BEN_APPROVES = '{"approved":true,"by":"ben"}';

const approvalDecisionCases: RefusalCase[] = [
  ...malformedIdCases("ApprovalDecision", "POST", (id) => `/api/approvals/${id}/decision`, BEN_APPROVES),
  ...bodyCases("ApprovalDecision", decisionPath(WAITING_APPROVAL), [
    ["empty body", "", 400, "invalid_body"],
    ["invalid JSON", '{"approved":true,', 400, "invalid_json"],
    ["a list", "[]", 400, "invalid_body"],
    ['approved "true"', '{"approved":"true","by":"ben"}', 400, "invalid_decision"],
    ["approved 1", '{"approved":1,"by":"ben"}', 400, "invalid_decision"],
    ["no approved", '{"by":"ben"}', 400, "invalid_decision"],
    ["no by", '{"approved":true}', 400, "invalid_by"],
    ["an empty by", '{"approved":true,"by":""}', 400, "invalid_by"],
    ["a by of zero-width spaces", JSON.stringify({ approved: true, by: "\u200b" }), 400, "invalid_by"],
    ["a 201-character by", JSON.stringify({ approved: true, by: "b".repeat(201) }), 400, "invalid_by"],
    ["a by with a line feed", JSON.stringify({ approved: true, by: "ben\n" }), 400, "invalid_by"],
    tooLarge,
    ["by someone who is not the approver", '{"approved":true,"by":"carl"}', 403, "not_the_approver"],
    ["by the requester", '{"approved":true,"by":"ana"}', 403, "own_request"],
    ["by the requester in full-width letters", JSON.stringify({ approved: false, by: "ＡＮＡ" }), 403, "own_request"],
  ]),
  ...bodyCases("ApprovalDecision", decisionPath(DECIDED_APPROVAL), [["a decision on a decided approval", BEN_APPROVES, 410, "already_decided"]]),
  ...bodyCases("ApprovalDecision", decisionPath(NOBODY), [["unknown instance", BEN_APPROVES, 404, "instance_not_found"]]),
  ...bodyCases("ApprovalDecision", decisionPath(LIVE_COUNTER), [["a counter's id", BEN_APPROVES, 404, "instance_not_found"]]),
];

const refusalCases: readonly RefusalCase[] = [
  ...httpStartCases,
  ...httpStartSingleCases,
  ...e3OperationCases,
  ...e3ValueCases,
  ...counterReadCases,
  ...counterUpdateCases,
  ...approvalStartCases,
  ...approvalDecisionCases,
];

/**
 * For each route, a path only it serves (or it and the routes listed in `allow`): every other
 * method there must get the host's 405. Fixture ids, so that a method that slipped through would act.
 */
const methodProbes: Readonly<Record<string, { path: string; allow: readonly string[] }>> = {
  HttpStart: { path: startPath("E1_HelloSequence"), allow: ["POST"] },
  HttpStartSingle: { path: startPath("E3_Counter", FRESH_INSTANCE), allow: ["POST"] },
  E3CounterOperation: { path: e3OperationPath(LIVE_COUNTER, "incr"), allow: ["POST"] },
  E3CounterValue: { path: `/api/e3counter/${LIVE_COUNTER}`, allow: ["GET"] },
  CounterRead: { path: "/api/counter", allow: ["GET"] },
  // counter/{id} is both CounterRead's (GET) and CounterUpdate's (POST, {operation?} left out).
  CounterUpdate: { path: `/api/counter/${APPLES}`, allow: ["GET", "POST"] },
  ApprovalStart: { path: "/api/approvals", allow: ["POST"] },
  ApprovalDecision: { path: decisionPath(WAITING_APPROVAL), allow: ["POST"] },
};

const methodCases: readonly MethodCase[] = Object.entries(methodProbes).flatMap(([route, { path, allow }]) =>
  TRIED_METHODS.filter((method) => !allow.includes(method)).map((method) => ({ route, method, path, allow })),
);

// ---------------------------------------------------------------------------------------------
// Running it.
// ---------------------------------------------------------------------------------------------

/** What each request got, for the figures. */
const answered: Array<{ route: string; status: number; kind: "refusal" | "method" }> = [];
let routes: RegisteredHttpRoute[] = [];
let anyCheckStatus: CheckStatusPayload | undefined;
let before: TaskHubSnapshot | undefined;
let liveCounterStatusUri = "";
let waitingApprovalStatusUri = "";

async function createFixtures(): Promise<void> {
  const live = await startAndCheck(target, "E3_Counter", { instanceId: LIVE_COUNTER, json: LIVE_COUNTER_VALUE });
  liveCounterStatusUri = live.statusQueryGetUri;
  anyCheckStatus = live;

  const ended = await startAndCheck(target, "E3_Counter", { instanceId: ENDED_COUNTER });
  expectJson(await e3Operation(target, ENDED_COUNTER, "end"), 200, { instanceId: ENDED_COUNTER, value: 0, operationId: expect.any(String) as unknown });
  await waitForCompletion(ended.statusQueryGetUri);

  expectJson(await post(counterUrl(target, [APPLES, "add"], { value: String(APPLES_VALUE), wait: "true" })), 200, {
    id: APPLES,
    operation: "add",
    value: APPLES_VALUE,
  });

  const waiting = await startAndCheck(target, "Approval", { instanceId: WAITING_APPROVAL, json: APPROVAL_REQUEST });
  waitingApprovalStatusUri = waiting.statusQueryGetUri;
  const decided = await startAndCheck(target, "Approval", { instanceId: DECIDED_APPROVAL, json: APPROVAL_REQUEST });
  const awaitingDecision = (status: { customStatus: unknown }): boolean =>
    (status.customStatus as { stage?: unknown } | null)?.stage === "awaiting-decision";
  await waitForStatus(waiting.statusQueryGetUri, "the approval to await its decision", awaitingDecision);
  await waitForStatus(decided.statusQueryGetUri, "the approval to await its decision", awaitingDecision);
  expectJson(await decide(target, DECIDED_APPROVAL, { approved: true, by: "ben" }), 202, { instanceId: DECIDED_APPROVAL, approved: true, by: "ben" });
  await waitForCompletion(decided.statusQueryGetUri);
  // The live counter has settled into its first generation (it reports a customStatus) before the snapshot.
  await waitForStatus(live.statusQueryGetUri, "the live counter to report its value", (status) => status.customStatus !== null);
}

function sendCase(testCase: Pick<RefusalCase, "method" | "path" | "body" | "headers"> | MethodCase): Promise<HttpResult> {
  const options: SendOptions = {
    ...("body" in testCase && testCase.body !== undefined ? { data: testCase.body } : {}),
    ...("headers" in testCase && testCase.headers !== undefined ? { headers: testCase.headers } : {}),
  };
  return send(testCase.method, target.url(testCase.path), options);
}

function label(testCase: RefusalCase): string {
  return `${testCase.route}: ${testCase.input} → ${testCase.status} ${testCase.error}`;
}

describeWithOwnHost("bad input, against every route (issue 4, part 5)", {}, () => {
  beforeAll(async () => {
    routes = await registeredHttpRoutes();
    await createFixtures();
    if (anyCheckStatus === undefined) throw new Error("The fixtures gave no check-status payload.");
    before = await snapshotTaskHub(anyCheckStatus);
  }, 60_000);

  it("has refusal cases and method cases for every route the app registers, and only for those", () => {
    const registered = routes.map((route) => route.functionName).sort();
    expect([...new Set(refusalCases.map((row) => row.route))].sort()).toEqual(registered);
    expect(Object.keys(methodProbes).sort()).toEqual(registered);
    for (const route of routes) {
      // A probe's Allow list includes its own route's methods; the host's header is checked per case.
      expect(methodProbes[route.functionName]?.allow, route.functionName).toEqual(expect.arrayContaining([...route.methods]));
    }
  });

  describe(`refusals: ${refusalCases.length} cases`, () => {
    it.each(refusalCases.map((row) => [label(row), row] as const))("%s", async (_label, row) => {
      const result = await sendCase(row);
      answered.push({ route: row.route, status: result.status, kind: "refusal" });
      expectJsonError(result, row.status, row.error);
    });
  });

  describe(`methods a route does not take: ${methodCases.length} cases`, () => {
    // The host answers these before the app runs: 405 with Allow and no body here; the Functions
    // host answers 404 with no body (it treats the method as part of the route).
    it.each(methodCases.map((row) => [`${row.route}: ${row.method} ${row.path.slice(0, 60)} → 405`, row] as const))("%s", async (_label, row) => {
      const result = await sendCase(row);
      answered.push({ route: row.route, status: result.status, kind: "method" });
      expect(result.status, describeResult(result)).toBe(405);
      expect(result.headers.get("allow")?.split(/,\s*/).sort(), describeResult(result)).toEqual([...row.allow].sort());
      expect(result.text, describeResult(result)).toBe("");
    });
  });

  it("started, raised and signalled nothing: the task hub, the counters and the approval are as they were", async () => {
    if (anyCheckStatus === undefined || before === undefined) throw new Error("beforeAll did not finish.");
    // Read-your-writes through the entity: any signal a refused request had sent to it is processed first.
    const apples = await post(counterUrl(target, [APPLES, "add"], { value: "0", wait: "true" }));
    expectJson(apples, 200, { id: APPLES, operation: "add", value: APPLES_VALUE });
    const liveValue = await get(e3CounterUrl(target, LIVE_COUNTER));
    expectJson(liveValue, 200, { instanceId: LIVE_COUNTER, value: LIVE_COUNTER_VALUE, runtimeStatus: "Running" });
    const live = await readStatus(liveCounterStatusUri);
    expect((live?.customStatus as { confirmedOps?: unknown } | undefined)?.confirmedOps, JSON.stringify(live)).toEqual([]);
    const approval = await readStatus(waitingApprovalStatusUri);
    expect(approval?.runtimeStatus).toBe("Running");
    expect((approval?.customStatus as { stage?: unknown } | undefined)?.stage).toBe("awaiting-decision");
    for (const url of [counterUrl(target, [FRESH_COUNTER]), counterUrl(target, [NOBODY]), e3CounterUrl(target, FRESH_INSTANCE)]) {
      expect((await get(url)).status, url).toBe(404);
    }

    const after = await snapshotTaskHub(anyCheckStatus);
    // The barrier above was an operation on apples: for it only its state counts.
    const applesEntity = [...after.entities.keys()].find((key) => key.endsWith(`@${APPLES}`));
    const changes = changesBetween(before, after, new Set(applesEntity === undefined ? [] : [applesEntity]));
    expect(changes).toEqual({ instancesStartedOrChanged: [], entitiesSignalled: [] });
    expect([...after.instances.keys()].sort()).toEqual([...before.instances.keys()].sort());

    const refusals = answered.filter((row) => row.kind === "refusal");
    const methods = answered.filter((row) => row.kind === "method");
    const count = (rows: typeof answered, from: number, to: number): number => rows.filter((row) => row.status >= from && row.status < to).length;
    expect(refusals.length).toBe(refusalCases.length);
    expect(methods.length).toBe(methodCases.length);
    expect(count(answered, 500, 600)).toBe(0);

    recordFigures({
      id: "5.1",
      title: "bad input against every route: malformed bodies, ids, names, numbers and sizes",
      figures: {
        requests: refusals.length,
        "4xx": count(refusals, 400, 500),
        "5xx": count(refusals, 500, 600),
        "routes covered": new Set(refusals.map((row) => row.route)).size,
        "instances started": changes.instancesStartedOrChanged.length,
        "entities signalled": changes.entitiesSignalled.length,
      },
    });
    recordFigures({
      id: "5.2",
      title: "bad-input cases per route",
      figures: Object.fromEntries(routes.map((route) => [route.functionName, refusals.filter((row) => row.route === route.functionName).length])),
    });
    recordFigures({
      id: "5.3",
      title: "methods a route does not take (GET, POST, PUT, DELETE, PATCH): the host's 405",
      figures: { requests: methods.length, "405 answers": count(methods, 405, 406), "5xx": count(methods, 500, 600), "routes covered": new Set(methods.map((row) => row.route)).size },
    });
    recordFigures({
      id: "5.4",
      title: "the task hub after every refused request",
      figures: {
        "instances before": before.instances.size,
        "instances after": after.instances.size,
        "entities before": before.entities.size,
        "entities after": after.entities.size,
        // As read back after the matrix (asserted equal to the values the fixtures set: 5 and 7).
        "E3 counter value": jsonObject(liveValue).value as number,
        "counter entity value": jsonObject(apples).value as number,
      },
    });
  });
});
