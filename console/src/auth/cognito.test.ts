import { describe, expect, it } from "vitest";

import { claimsOf } from "./cognito";

function token(claims: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify(claims));
  const base64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `e30.${base64}.signature`;
}

describe("claimsOf", () => {
  it("reads Vietnamese names with their diacritics from a base64url payload", () => {
    const claims = claimsOf(token({ name: "Nguyễn Thị Hồng Nhung", "custom:unit": "21550" }));
    expect(claims.name).toBe("Nguyễn Thị Hồng Nhung");
    expect(claims["custom:unit"]).toBe("21550");
  });
});
