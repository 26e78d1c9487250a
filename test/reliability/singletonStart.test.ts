import { describe, expect, it, onTestFinished } from "vitest";
import { useE2eTarget } from "../e2e/support/e2eTarget.js";
import { e3Operation, startOrchestration, uniqueId } from "../e2e/support/app.js";
import { expectCheckStatusResponse, instancesQueryUri, terminateQuietly, waitForCompletion, type CheckStatusPayload } from "../e2e/support/durable.js";
import { describeResult, expectJsonError, get, jsonObject, type HttpResult } from "../e2e/support/http.js";
import { counts } from "./support/concurrency.js";
import { recordFigures } from "./support/figures.js";

/**
 * The singleton starter under a real race: 50 concurrent starts of one id, through the real host,
 * give one instance; after it ends, the id can be started again, once.
 */

const target = useE2eTarget({ name: "singleton", clock: "real" });

const RACERS = 50;

/** Fires the starts together (all 50 in flight at once) and returns the one 202's payload. */
async function raceStarts(instanceId: string): Promise<{ payload: CheckStatusPayload; answers: HttpResult[] }> {
  const answers = await Promise.all(Array.from({ length: RACERS }, () => startOrchestration(target, "E3_Counter", { instanceId })));
  const tally = counts(answers.map((answer) => answer.status));
  const unexpected = answers.filter((answer) => answer.status !== 202 && answer.status !== 409);
  expect(Object.fromEntries(tally), unexpected.slice(0, 3).map(describeResult).join("\n")).toEqual({ 202: 1, 409: RACERS - 1 });
  for (const answer of answers.filter((each) => each.status === 409)) {
    expectJsonError(answer, 409, "instance_exists", `An instance with ID '${instanceId}' already exists.`);
  }
  const winner = answers.find((answer) => answer.status === 202);
  if (winner === undefined) throw new Error("unreachable: the tally has one 202");
  return { payload: expectCheckStatusResponse(winner, target, instanceId), answers };
}

/** Every instance the built-in list API shows with this id (all pages). */
async function listedInstances(payload: CheckStatusPayload, instanceId: string, since: string): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let continuation = "";
  do {
    const page = await get(instancesQueryUri(payload, { createdTimeFrom: since, instanceIdPrefix: instanceId, top: "100" }), {
      ...(continuation === "" ? {} : { headers: { "x-ms-continuation-token": continuation } }),
    });
    expect(page.status, describeResult(page)).toBe(200);
    if (!Array.isArray(page.json)) throw new Error(`Not a list.\n${describeResult(page)}`);
    found.push(...(page.json as Record<string, unknown>[]).filter((instance) => instance.instanceId === instanceId));
    continuation = page.headers.get("x-ms-continuation-token") ?? "";
  } while (continuation !== "" && continuation !== "null");
  return found;
}

describe("singleton starts", { timeout: 120_000 }, () => {
  it("3.1 gives exactly one 202 and 49 × 409 for 50 concurrent starts of one id, and again once that instance has ended", async () => {
    const instanceId = uniqueId("single");
    const since = new Date(Date.now() - 1_000).toISOString();

    const firstRace = await raceStarts(instanceId);
    onTestFinished(() => terminateQuietly(firstRace.payload));
    const firstListing = await listedInstances(firstRace.payload, instanceId, since);
    expect(firstListing.map((instance) => [instance.name, instance.runtimeStatus === "Completed"])).toEqual([["E3_Counter", false]]);

    const ended = await e3Operation(target, instanceId, "end");
    expect(ended.status, describeResult(ended)).toBe(200);
    expect(jsonObject(ended).value).toBe(0);
    await waitForCompletion(firstRace.payload.statusQueryGetUri);

    const secondRace = await raceStarts(instanceId);
    onTestFinished(() => terminateQuietly(secondRace.payload));
    const secondListing = await listedInstances(secondRace.payload, instanceId, since);
    // One instance with the id, and it is the new one: the first was Completed before this race,
    // this one is not. (createdTime cannot tell them apart: both may fall in the same second.)
    expect(secondListing).toHaveLength(1);
    expect(secondListing[0]?.runtimeStatus).not.toBe("Completed");

    const all = [...firstRace.answers, ...secondRace.answers];
    const tally = counts(all.map((answer) => answer.status));
    recordFigures({
      id: "3.1",
      title: `${RACERS} concurrent starts of one E3_Counter id, twice (before and after it ended)`,
      figures: {
        starts: all.length,
        "202": tally.get(202) ?? 0,
        "409": tally.get(409) ?? 0,
        "other answers": all.length - (tally.get(202) ?? 0) - (tally.get(409) ?? 0),
        "instances listed each time": Math.max(firstListing.length, secondListing.length),
      },
    });
  });
});
