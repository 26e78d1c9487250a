import { describe, expect, it } from "vitest";
import { invocationFailure } from "../../../devhost/worker/invocationFailure.js";

/** What the host is told about a thrown value: the Node worker's ensureErrorType rules. */

describe("invocationFailure", () => {
  it("reports an Error's message and stack as they are", () => {
    const error = new RangeError("out of range");
    expect(invocationFailure(error)).toEqual({ message: "out of range", stack: error.stack });
  });

  it("keeps a multi-line message whole (an orchestrator's carries the SDK's state)", () => {
    const message = 'failed\n\n$OutOfProcData$:{"isDone":true}';
    expect(invocationFailure(new Error(message)).message).toBe(message);
  });

  it("gives an Error without a stack an empty one", () => {
    const error = new Error("no stack");
    delete error.stack;
    expect(invocationFailure(error)).toEqual({ message: "no stack", stack: "" });
  });

  it("reports a thrown string as it is, with no stack", () => {
    expect(invocationFailure("plain failure")).toEqual({ message: "plain failure", stack: "" });
  });

  it("writes a thrown object as JSON, as the worker does", () => {
    expect(invocationFailure({ code: 42, reason: "x" })).toEqual({ message: '{"code":42,"reason":"x"}', stack: "" });
  });

  it("writes other values with String()", () => {
    expect(invocationFailure(42)).toEqual({ message: "42", stack: "" });
    expect(invocationFailure(false)).toEqual({ message: "false", stack: "" });
    expect(invocationFailure(7n)).toEqual({ message: "7", stack: "" });
    expect(invocationFailure(Symbol("s"))).toEqual({ message: "Symbol(s)", stack: "" });
  });

  it("says 'Unknown error' for null and undefined", () => {
    expect(invocationFailure(null)).toEqual({ message: "Unknown error", stack: "" });
    expect(invocationFailure(undefined)).toEqual({ message: "Unknown error", stack: "" });
  });

  it("still gives a message for an object JSON cannot write", () => {
    const cyclic: Record<string, unknown> = { name: "cyclic" };
    cyclic.self = cyclic;
    expect(invocationFailure(cyclic).message).toContain("cyclic");
  });
});
