import { describe, expect, it } from "vitest";
import { pass, Pipeline, reject } from "../../../src/jobs/import/pipeline";
import { productRowPipeline } from "../../../src/jobs/import/product-rows";

describe("Pipeline", () => {
  const numbers = () =>
    Pipeline.start<string>()
      .pipe("parse", (text) => (/^\d+$/.test(text) ? pass(Number(text)) : reject("not a number")))
      .pipe("double", (n) => pass(n * 2))
      .pipe("small", (n) => (n < 100 ? pass(n) : reject("too big")));

  it("passes an item through every stage, or stops it at the first that rejects", () => {
    const pipeline = numbers();
    expect(pipeline.run("4")).toEqual({ ok: true, value: 8 });
    expect(pipeline.run("x")).toEqual({ ok: false, stage: "parse", error: "not a number" });
    expect(pipeline.run("60")).toEqual({ ok: false, stage: "small", error: "too big" });
    expect(pipeline.counters()).toEqual({
      parse: { in: 3, out: 2, rejected: 1 },
      double: { in: 2, out: 2, rejected: 0 },
      small: { in: 2, out: 1, rejected: 1 },
    });
  });

  it("continues from saved counters", () => {
    const pipeline = numbers();
    pipeline.restore({ parse: { in: 10, out: 9, rejected: 1 } });
    pipeline.run("1");
    expect(pipeline.counters().parse).toEqual({ in: 11, out: 10, rejected: 1 });
  });
});

describe("the product import's stages", () => {
  it("validates, fills in defaults, and normalises names", () => {
    const rows = productRowPipeline();
    expect(rows.run({ name: "  Pour-over   kettle ", price_cents: "5900" })).toEqual({
      ok: true,
      value: { name: "Pour-over kettle", price_cents: 5900, stock: 0 },
    });
    expect(rows.run({ name: "Beans", price: "12.50", stock: 3 })).toEqual({
      ok: true,
      value: { name: "Beans", price_cents: 1250, stock: 3 },
    });
    expect(rows.run({ name: "", price_cents: 1 })).toMatchObject({ ok: false, stage: "validate", error: expect.stringContaining("name") });
    expect(rows.run({ name: "No price" })).toMatchObject({ ok: false, stage: "validate", error: "price_cents: required (or give price)" });
    expect(rows.run({ name: "Negative", price_cents: -1 })).toMatchObject({ ok: false, stage: "validate" });
    expect(rows.run({ name: "Bad price", price: "12.505" })).toMatchObject({ ok: false, stage: "validate" });
  });
});
