import assert from "node:assert/strict";
import {
  availableUids,
  randomUids,
  sampleUids,
  type SelectableNeuron,
  selectableNeurons,
} from "../../validator/miner_selection.ts";

const n = (uid: number, o: Partial<SelectableNeuron> = {}): SelectableNeuron => ({
  uid,
  hotkey: `hk${uid}`,
  axonIp: "10.0.0.1",
  axonPort: 8091,
  validatorPermit: false,
  stakeTao: 0,
  ...o,
});

Deno.test("selection: serving only, big validators out, never self", () => {
  const neurons = [
    n(0),
    n(1, { axonIp: "0.0.0.0" }),
    n(2, { validatorPermit: true, stakeTao: 5000 }),
    n(3, { validatorPermit: true, stakeTao: 100 }),
    n(4, { hotkey: "me" }),
    n(5, { axonPort: 0 }),
  ];
  assert.deepEqual(availableUids(neurons, { selfHotkey: "me" }), [0, 3]);
  assert.deepEqual(availableUids(neurons, { vpermitTaoLimit: 10_000 }), [0, 2, 3, 4]);
});

Deno.test("selection: random sample of k distinct uids, all when fewer", () => {
  const neurons = Array.from({ length: 20 }, (_, i) => n(i));
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const s = randomUids(neurons, 6, { random });
  assert.equal(s.length, 6);
  assert.equal(new Set(s).size, 6);
  assert.equal(randomUids(neurons.slice(0, 3), 6).length, 3);
  assert.deepEqual(randomUids([], 6), []);
  // Drawn again and again from one pool (the validator's, kept per metagraph read): never changed.
  const pool = [3, 5, 8, 13, 21, 34, 55, 89];
  for (let i = 0; i < 20; i++) {
    const t = sampleUids(pool, 3, random);
    assert.equal(new Set(t).size, 3);
    assert.ok(t.every((u) => pool.includes(u)));
  }
  assert.deepEqual(pool, [3, 5, 8, 13, 21, 34, 55, 89], "the pool is left as it is");
});

Deno.test("selectable neurons: a metagraph read's fields by uid; a uid without an axon is not serving", () => {
  const n = selectableNeurons({
    hotkeys: ["a", "b"],
    axons: [{ ip: "1.2.3.4", port: 8091 }],
    validatorPermit: [true],
    stakeTao: [5000],
  });
  assert.deepEqual(n, [
    {
      uid: 0,
      hotkey: "a",
      axonIp: "1.2.3.4",
      axonPort: 8091,
      validatorPermit: true,
      stakeTao: 5000,
    },
    { uid: 1, hotkey: "b", axonIp: "0.0.0.0", axonPort: 0, validatorPermit: false, stakeTao: 0 },
  ]);
  assert.deepEqual(availableUids(n, {}), [], "a: a validator over the stake limit; b: no axon");
  assert.deepEqual(availableUids(n, { vpermitTaoLimit: 10_000 }), [0]);
});
