import { describe, expect, it } from "vitest";
import { validateStartInput, type StartInputContext } from "../../src/logic/startInputs.js";
import { OrchestratorNames, startableOrchestrators } from "../../src/names.js";
import { validationErrorOf } from "../support/thrownErrors.js";

const context: StartInputContext = { monitorAllowedHosts: () => undefined };

describe("validateStartInput", () => {
  it("covers exactly the startable orchestrators these tests cover", () => {
    expect([...startableOrchestrators].sort()).toEqual(
      [
        OrchestratorNames.helloSequence,
        OrchestratorNames.backupSiteContent,
        OrchestratorNames.counter,
        OrchestratorNames.approval,
        OrchestratorNames.monitor,
      ].sort(),
    );
  });

  describe(OrchestratorNames.helloSequence, () => {
    const start = (input: unknown): unknown => validateStartInput(OrchestratorNames.helloSequence, input, context);

    it.each([undefined, null])("takes %j as no input (the default cities)", (input) => {
      expect(start(input)).toBeUndefined();
    });

    it("accepts a list of city names", () => {
      expect(start(["Tokyo", "Seattle", "London"])).toEqual(["Tokyo", "Seattle", "London"]);
    });

    it("accepts 20 cities and a 100-character name", () => {
      const twenty = Array.from({ length: 20 }, (_, index) => `City ${index}`);
      expect(start(twenty)).toEqual(twenty);
      expect(start(["c".repeat(100)])).toEqual(["c".repeat(100)]);
    });

    it.each([
      ["an empty list", []],
      ["21 cities", Array.from({ length: 21 }, (_, index) => `City ${index}`)],
      ["a single string", "Tokyo"],
      ["an object", { cities: ["Tokyo"] }],
    ])("refuses %s", (_what, input) => {
      const error = validationErrorOf(() => start(input));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe("The input must be a list of 1 to 20 city names.");
    });

    it.each([
      ["a number", ["Tokyo", 5]],
      ["null", [null]],
      ["an empty name", [""]],
      ["a blank name", ["  "]],
      ["a 101-character name", ["c".repeat(101)]],
    ])("refuses a list with %s", (_what, input) => {
      const error = validationErrorOf(() => start(input));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe("Each city must be a non-empty string of at most 100 characters.");
    });
  });

  describe(OrchestratorNames.backupSiteContent, () => {
    const start = (input: unknown): unknown => validateStartInput(OrchestratorNames.backupSiteContent, input, context);

    it.each(["/srv/site", "C:\\inetpub\\wwwroot", "relative/dir", "p".repeat(1024)])("accepts the path %j", (path) => {
      expect(start(path)).toBe(path);
    });

    it.each([
      [5, "a number"],
      [null, "null"],
      [["/srv"], "an array"],
    ])("refuses %j, naming its type", (input, type) => {
      const error = validationErrorOf(() => start(input));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe(`The input must be a directory path as a JSON string, not ${type}.`);
    });

    it("refuses a missing input", () => {
      const error = validationErrorOf(() => start(undefined));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe("The input must be a directory path as a JSON string, not nothing.");
    });

    it.each(["", "   ", "p".repeat(1025)])("refuses the string %j", (input) => {
      const error = validationErrorOf(() => start(input));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe("The directory path must be 1 to 1024 characters long.");
    });

    it.each(["/srv/\u0000site", "/srv/site\n", "/srv/\u001fx", "/srv/\u007f", "/srv/\u0085"])(
      "refuses the path %j with control characters",
      (input) => {
        const error = validationErrorOf(() => start(input));
        expect(error.code).toBe("invalid_input");
        expect(error.message).toBe("The path contains control characters.");
      },
    );
  });

  describe(OrchestratorNames.counter, () => {
    const start = (input: unknown): unknown => validateStartInput(OrchestratorNames.counter, input, context);

    it.each([undefined, null])("starts %j at 0", (input) => {
      expect(start(input)).toBe(0);
    });

    it.each([5, 0, -5, Number.MAX_SAFE_INTEGER])("starts at %d", (input) => {
      expect(start(input)).toBe(input);
    });

    it.each([1.5, "5", 2 ** 53, Number.NaN, true, { value: 5 }])("refuses %j", (input) => {
      const error = validationErrorOf(() => start(input));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe("E3_Counter takes a safe integer start value (or no body for 0).");
    });
  });

  describe(OrchestratorNames.approval, () => {
    it("delegates to validateApprovalRequest", () => {
      expect(validateStartInput(OrchestratorNames.approval, { amount: 10, requester: "ana" }, context)).toEqual({
        amount: 10,
        requester: "ana",
        timeoutHours: 72,
      });
      const error = validationErrorOf(() =>
        validateStartInput(OrchestratorNames.approval, { amount: -1, requester: "ana" }, context),
      );
      expect(error.code).toBe("invalid_amount");
    });
  });

  describe(OrchestratorNames.monitor, () => {
    const allowed: StartInputContext = { monitorAllowedHosts: () => ["status.example.com"] };

    it("delegates to validateMonitorRequest with the allowed hosts", () => {
      expect(
        validateStartInput(OrchestratorNames.monitor, { url: "https://status.example.com/", expect: { status: 200 } }, allowed),
      ).toEqual({ url: "https://status.example.com/", expect: { status: 200 }, intervalSeconds: 30, expiryMinutes: 60 });

      const error = validationErrorOf(() =>
        validateStartInput(OrchestratorNames.monitor, { url: "http://169.254.169.254/", expect: { status: 200 } }, allowed),
      );
      expect(error.code).toBe("invalid_url");
      expect(error.message).toBe("The host '169.254.169.254' is not in MONITOR_ALLOWED_HOSTS.");
    });

    it("allows any http(s) host when no list is configured", () => {
      const input = { url: "http://169.254.169.254/", expect: { status: 200 } };
      expect(validateStartInput(OrchestratorNames.monitor, input, context)).toMatchObject({ url: "http://169.254.169.254/" });
    });
  });
});
