import assert from "node:assert/strict";
import { intToIp, IpError, ipToInt, ipTypeOfInt, ipVersion } from "../../chain/ip.ts";

Deno.test("IPv4 text <-> integer as a<<24|b<<16|c<<8|d", () => {
  assert.equal(ipToInt("10.0.0.1"), 0x0a000001n);
  assert.equal(ipToInt("255.255.255.255"), 0xffffffffn);
  assert.equal(ipToInt("0.0.0.0"), 0n);
  assert.equal(intToIp(0x0a000001n), "10.0.0.1");
  assert.equal(intToIp(3232235777), "192.168.1.1");
  assert.equal(ipVersion("1.2.3.4"), 4);
  assert.equal(ipTypeOfInt(0xffffffffn), 4);
});

Deno.test("IPv6 text <-> integer, compressed output like netaddr", () => {
  assert.equal(ipToInt("::1"), 1n);
  assert.equal(ipToInt("2001:db8::1"), 0x20010db8000000000000000000000001n);
  assert.equal(intToIp(0x20010db8000000000000000000000001n), "2001:db8::1");
  assert.equal(intToIp(0x100000000n), "::1:0:0");
  assert.equal(intToIp((1n << 128n) - 1n), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert.equal(intToIp(0x20010db8000100000001000100010001n), "2001:db8:1:0:1:1:1:1");
  assert.equal(ipToInt("::ffff:1.2.3.4"), 0xffff01020304n);
  assert.equal(ipToInt("[fe80::2]"), 0xfe800000000000000000000000000002n);
  assert.equal(ipVersion("fe80::2"), 6);
  assert.equal(ipTypeOfInt(1n << 32n), 6);
  for (const s of ["2001:db8::1", "fe80::1:2", "1:2:3:4:5:6:7:8", "::"]) {
    assert.equal(intToIp(ipToInt(s)), s === "::" ? "0.0.0.0" : s);
  }
});

Deno.test("bad addresses are refused by name", () => {
  for (
    const s of [
      "",
      "1.2.3",
      "256.1.1.1",
      "01.2.3.4",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "g::1",
      "fe80::1%eth0",
      "host",
    ]
  ) {
    assert.throws(() => ipToInt(s), IpError, s);
  }
  assert.throws(() => intToIp(-1n), IpError);
  assert.throws(() => intToIp(1n << 128n), IpError);
});
