import { describe, expect, it } from "vitest";

import { format } from "./index";
import { en, vi } from "./messages";

describe("messages", () => {
  it("fills named parameters and leaves unknown ones visible", () => {
    expect(format("Đơn vị {unit} ngoài {home}", { unit: "547" })).toBe("Đơn vị 547 ngoài {home}");
  });

  it("has every Vietnamese text in English with the same parameters", () => {
    for (const key of Object.keys(vi) as (keyof typeof vi)[]) {
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(en[key]), key).toEqual(names(vi[key]));
    }
  });
});
