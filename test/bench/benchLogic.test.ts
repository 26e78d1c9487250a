import { describe, expect, it } from "vitest";
import { mean, median, ratioFigure, round } from "../../bench/lib/stats.mjs";
import { difference, storageRequestKind, totalOf } from "../../bench/lib/storageRequests.mjs";
import { logLogChart, logScale, logTicks } from "../../bench/lib/svg.mjs";

/** The pure parts of the benchmarks: the figures they report and the chart they draw must be right, whatever the machine measures. */

describe("stats", () => {
  it("takes the median of odd and even counts, unaffected by one outlier", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1, 1, 1, 1000])).toBe(1);
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(() => median([])).toThrow();
  });

  it("flags a ratio against its target", () => {
    expect(ratioFigure(1.2, 1.5)).toEqual({ value: 1.2, target: 1.5, direction: "atMost", pass: true });
    expect(ratioFigure(5.6, 5.5).pass).toBe(false);
    expect(ratioFigure(3, 2, "atLeast").pass).toBe(true);
    expect(ratioFigure(9.87654)).toEqual({ value: 9.877, pass: null });
    expect(round(1234.5678, 1)).toBe(1234.6);
  });
});

describe("storage request kinds", () => {
  it("tells queue and table requests apart by method and path", () => {
    expect(storageRequestKind("POST", "/devstoreaccount1/hub-control-00/messages?messagettl=-1")).toBe("queue.send");
    expect(storageRequestKind("GET", "/devstoreaccount1/hub-control-00/messages?numofmessages=32")).toBe("queue.receive");
    expect(storageRequestKind("DELETE", "/devstoreaccount1/hub-workitems/messages/abc?popreceipt=x")).toBe("queue.delete");
    expect(storageRequestKind("PUT", "/devstoreaccount1/hub-workitems/messages/abc?popreceipt=x")).toBe("queue.update");
    expect(storageRequestKind("POST", "/devstoreaccount1/$batch")).toBe("table.batch");
    expect(storageRequestKind("GET", "/devstoreaccount1/HubInstances(PartitionKey=%27a%27,RowKey=%27%27)")).toBe("table.get");
    expect(storageRequestKind("GET", "/devstoreaccount1/HubHistory()?$filter=PartitionKey")).toBe("table.query");
    expect(storageRequestKind("PUT", "/devstoreaccount1/HubInstances(PartitionKey=%27a%27,RowKey=%27%27)")).toBe("table.write");
    expect(storageRequestKind("DELETE", "/devstoreaccount1/HubTimers(PartitionKey=%27a%27,RowKey=%27b%27)")).toBe("table.delete");
    expect(storageRequestKind("GET", "/api/counter/x")).toBeUndefined();
  });

  it("subtracts snapshots", () => {
    const delta = difference({ "queue.send": 5, "table.get": 2 }, { "queue.send": 3, "table.get": 2 });
    expect(delta).toEqual({ "queue.send": 2 });
    expect(totalOf({ a: 2, b: 3 })).toBe(5);
  });
});

describe("the log-log chart", () => {
  it("maps the domain's ends onto the range's, logarithmically", () => {
    const x = logScale([10, 10_000], [0, 300]);
    expect(x(10)).toBe(0);
    expect(x(100)).toBeCloseTo(100);
    expect(x(10_000)).toBeCloseTo(300);
  });

  it("ticks at 1, 2 and 5 times powers of ten inside the domain", () => {
    expect(logTicks([10, 1000])).toEqual([10, 20, 50, 100, 200, 500, 1000]);
    expect(logTicks([30, 300])).toEqual([50, 100, 200]);
  });

  it("draws one path per series, with its label escaped", () => {
    const svg = logLogChart({
      title: "t",
      xLabel: "x",
      yLabel: "y",
      series: [
        { label: "a <b>", points: [[10, 100], [100, 200]] },
        { label: "c", points: [[10, 50], [100, 5000]] },
      ],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain("a &lt;b&gt;");
  });
});
