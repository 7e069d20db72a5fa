import assert from "node:assert/strict";
import { allowedNonceWindowNs, NonceClock, NonceError, NonceStore } from "../../protocol/nonce.ts";
import { versionAsInt } from "../../protocol/version.ts";
import { uuid1 } from "../../protocol/uuid1.ts";

const NOW = 1_767_225_600_000_000_000n;
const S = 1_000_000_000n;

Deno.test("vector 10: nonce window with timeout 12 (16 s)", () => {
  for (const age of [1n, 3n, 5n, 15n]) {
    const store = new NonceStore({ now: () => NOW });
    store.check({ hotkey: "h", uuid: "u", nonce: NOW - age * S, version: 10002000, timeout: 12 });
  }
  for (const age of [18n, 19n]) {
    const store = new NonceStore({ now: () => NOW });
    assert.throws(
      () =>
        store.check({
          hotkey: "h",
          uuid: "u",
          nonce: NOW - age * S,
          version: 10002000,
          timeout: 12,
        }),
      (e) => {
        assert.ok(e instanceof NonceError);
        assert.equal(
          e.message,
          `Nonce is too old: acceptable delta is 16.00 seconds but request was ${age}.00 seconds old`,
        );
        return true;
      },
    );
  }
  assert.equal(allowedNonceWindowNs(NOW, null), NOW - 4n * S);
});

Deno.test("nonce store: strictly increasing per hotkey:uuid, only after commit", () => {
  const store = new NonceStore({ now: () => NOW });
  const req = (nonce: bigint, uuid = "u") => ({
    hotkey: "h",
    uuid,
    nonce,
    version: 10002000,
    timeout: 12,
  });
  store.commit(req(NOW));
  assert.throws(() => store.check(req(NOW)), /Nonce is too old, a newer one was last processed/);
  assert.throws(() => store.check(req(NOW - 1n)), /a newer one was last processed/);
  store.check(req(NOW + 1n));
  store.check(req(NOW, "other")); // another uuid is another endpoint
  // once a nonce is stored no freshness window applies (upstream rule)
  const later = new NonceStore({ now: () => NOW + 100n * S });
  later.commit(req(NOW + 100n * S));
  later.check(req(NOW + 100n * S + 1n));
  assert.throws(() => store.check({ ...req(NOW), nonce: null }), /Missing Nonce/);
  // pre-7.2 dendrites: only the monotonic rule
  new NonceStore({ now: () => NOW }).check({ ...req(1n), version: 720 });
  new NonceStore({ now: () => NOW }).check({ ...req(1n), version: null });
});

Deno.test("nonce store: bounded number of endpoints", () => {
  const store = new NonceStore({ now: () => NOW, maxKeys: 2 });
  for (const u of ["a", "b", "c"]) {
    store.commit({ hotkey: "h", uuid: u, nonce: NOW, version: 10002000, timeout: 12 });
  }
  assert.equal(store.size, 2);
});

Deno.test("nonce clock is strictly increasing even with a stuck clock", () => {
  const clock = new NonceClock(() => NOW);
  const a = clock.next(), b = clock.next(), c = clock.next();
  assert.ok(a < b && b < c);
  const real = new NonceClock();
  let last = 0n;
  for (let i = 0; i < 1000; i++) {
    const n = real.next();
    assert.ok(n > last);
    last = n;
  }
});

Deno.test("vector 13: version ints; uuid1 format", () => {
  assert.equal(versionAsInt("10.2.0"), 10002000);
  assert.equal(versionAsInt("7.2.0"), 7002000);
  assert.equal(versionAsInt("9.0.0"), 9000000);
  const u = uuid1();
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(uuid1(), u);
});
