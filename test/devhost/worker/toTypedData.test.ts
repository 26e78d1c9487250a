import { describe, expect, it } from "vitest";
import { toTypedData } from "../../../devhost/worker/toTypedData.js";

/** The reply conversion against the rules of @azure/functions' toRpcTypedData, case by case. */

describe("toTypedData", () => {
  it("gives no value for null and undefined", () => {
    expect(toTypedData(null)).toEqual({});
    expect(toTypedData(undefined)).toEqual({});
  });

  it("passes a string as it is, JSON-looking or not", () => {
    expect(toTypedData("plain")).toEqual({ string: "plain" });
    expect(toTypedData('{"a":1}')).toEqual({ string: '{"a":1}' });
    expect(toTypedData("")).toEqual({ string: "" });
  });

  it("sends integers as int and other numbers as double", () => {
    expect(toTypedData(42)).toEqual({ int: 42 });
    expect(toTypedData(-7)).toEqual({ int: -7 });
    expect(toTypedData(0)).toEqual({ int: 0 });
    expect(toTypedData(2.5)).toEqual({ double: 2.5 });
  });

  it("names the doubles JSON cannot hold, as the protobuf JSON mapping does", () => {
    expect(toTypedData(NaN)).toEqual({ double: "NaN" });
    expect(toTypedData(Infinity)).toEqual({ double: "Infinity" });
    expect(toTypedData(-Infinity)).toEqual({ double: "-Infinity" });
  });

  it("sends Buffers, typed arrays, DataViews and ArrayBuffers as base64 bytes, only the viewed part", () => {
    expect(toTypedData(Buffer.from("bytes!"))).toEqual({ bytes: Buffer.from("bytes!").toString("base64") });
    expect(toTypedData(new Uint8Array([1, 2, 3]))).toEqual({ bytes: "AQID" });
    const buffer = new Uint8Array([9, 1, 2, 3, 9]).buffer;
    expect(toTypedData(new Uint8Array(buffer, 1, 3))).toEqual({ bytes: "AQID" });
    expect(toTypedData(new DataView(buffer, 1, 3))).toEqual({ bytes: "AQID" });
    expect(toTypedData(new Uint16Array([1]))).toEqual({ bytes: Buffer.from(new Uint16Array([1]).buffer).toString("base64") });
    expect(toTypedData(new Uint8Array([1, 2, 3]).buffer)).toEqual({ bytes: "AQID" });
  });

  it("sends everything else as JSON text: objects, arrays, booleans, Dates", () => {
    expect(toTypedData({ nested: [1, true] })).toEqual({ json: '{"nested":[1,true]}' });
    expect(toTypedData([1, "a"])).toEqual({ json: '[1,"a"]' });
    expect(toTypedData(true)).toEqual({ json: "true" });
    expect(toTypedData(false)).toEqual({ json: "false" });
    expect(toTypedData(new Date("2026-01-05T09:00:00.000Z"))).toEqual({ json: '"2026-01-05T09:00:00.000Z"' });
  });

  it("gives no value for what JSON.stringify leaves out", () => {
    expect(toTypedData(() => 1)).toEqual({});
    expect(toTypedData(Symbol("s"))).toEqual({});
  });

  it("throws for a bigint, which fails the invocation as in the worker", () => {
    expect(() => toTypedData(10n)).toThrow(TypeError);
  });
});
