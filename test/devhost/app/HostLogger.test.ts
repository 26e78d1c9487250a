import { describe, expect, it } from "vitest";
import { withoutQuery } from "../../../devhost/app/HostLogger.js";

describe("withoutQuery", () => {
  it.each([
    ["/api/x?code=k", "/api/x?…"],
    ["/api/x#frag", "/api/x?…"],
    ["https://example.com/status?sig=abc&se=1", "https://example.com/status?…"],
    ["/api/x", "/api/x"],
    ["/", "/"],
  ])("logs %s as %s", (target, logged) => {
    expect(withoutQuery(target)).toBe(logged);
  });
});
