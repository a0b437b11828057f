import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useApi } from "./useApi";

describe("useApi polling", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps an answer slower than the interval and polls only after it", async () => {
    let calls = 0;
    // Each answer takes 25 s, the poll interval is 10 s.
    const load = () => {
      calls += 1;
      const n = calls;
      return new Promise<number>((resolve) => setTimeout(() => resolve(n), 25_000));
    };
    const { result } = renderHook(() => useApi(load, [], 10_000));

    await act(async () => {
      await vi.advanceTimersByTimeAsync(24_000);
    });
    expect(calls).toBe(1); // no second load while the first is on its way
    expect(result.current.data).toBeUndefined();

    await act(async () => {
      await vi.advanceTimersByTimeAsync(1_000);
    });
    expect(result.current.data).toBe(1);

    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_000);
    });
    expect(calls).toBe(2); // the next poll, one interval after the answer
    expect(result.current.data).toBe(1); // shown until the next answer arrives

    await act(async () => {
      await vi.advanceTimersByTimeAsync(25_000);
    });
    expect(result.current.data).toBe(2);
  });
});
