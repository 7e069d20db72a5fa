/**
 * @module
 * Registration and serving: the `Uids` registration check, `serve_axon` (signed by the hotkey,
 * skipped when the chain already holds the same endpoint, as the SDK does) and
 * `burned_register` (signed by the coldkey, which pays `Burn[netuid]`).
 */
import type { ApiPromise } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import { VERSION_AS_INT } from "../protocol/version.ts";
import type { Signer as WalletSigner } from "../wallet/keypair.ts";
import type { Inclusion, SubmitOptions, SubtensorClient } from "./client.ts";
import { ChainDataError, ChainError, ChainUnsupportedError } from "./errors.ts";
import { intToIp, ipToInt, ipVersion } from "./ip.ts";
import type { AxonInfo } from "./neuron_lite.ts";

/** The uid of `hotkey` (SS58) on `netuid`, or null when it is not registered there. */
export async function uidOf(
  client: SubtensorClient,
  netuid: number,
  hotkey: string,
): Promise<number | null> {
  return await client.call("Uids", async () => {
    const v = await client.api.query.subtensorModule.uids(netuid, hotkey);
    const p = v.toPrimitive();
    if (p === null || p === undefined) return null;
    if (typeof p !== "number") {
      throw new ChainDataError(`Uids(${netuid}, ${hotkey}) is not a u16: ${String(p)}`);
    }
    return p;
  });
}

/** The axon `hotkey` has served on `netuid`, or null when none. */
export async function axonOf(
  client: SubtensorClient,
  netuid: number,
  hotkey: string,
): Promise<AxonInfo | null> {
  return await client.call("Axons", async () => {
    const v = (await client.api.query.subtensorModule.axons(netuid, hotkey)).toPrimitive() as
      | Record<string, unknown>
      | null;
    if (!v) return null;
    const ipInt = BigInt(String(v.ip));
    return {
      block: Number(v.block),
      version: Number(v.version),
      ip: intToIp(ipInt),
      ipInt,
      port: Number(v.port),
      ipType: Number(v.ipType),
      protocol: Number(v.protocol),
    };
  });
}

/** What to serve. */
export interface ServeAxonOptions {
  netuid: number;
  /** External IPv4/IPv6 text. */
  ip: string;
  port: number;
  /** Axon version; defaults to our protocol's `version_as_int` (10002000). */
  version?: number;
  /** Protocol; 4 as the SDK sends. */
  protocol?: number;
  /** Serve even if the chain already holds the same endpoint. */
  force?: boolean;
}

/** Outcome of {@link serveAxon}. */
export type ServeAxonResult =
  | { status: "served"; inclusion: Inclusion }
  | { status: "unchanged"; axon: AxonInfo }
  | { status: "not_registered"; message: string };

/** Builds the `serve_axon` call (validated: port 1..65535, ip type from the text). */
export function buildServeAxonCall(
  api: ApiPromise,
  o: ServeAxonOptions,
): SubmittableExtrinsic<"promise"> {
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw new ChainError("bad_input", `axon port must be 1..65535, got ${o.port}`);
  }
  const ipType = ipVersion(o.ip);
  return api.tx.subtensorModule.serveAxon(
    o.netuid,
    o.version ?? VERSION_AS_INT,
    ipToInt(o.ip),
    o.port,
    ipType,
    o.protocol ?? 4,
    0,
    0,
  );
}

/**
 * Serves the axon endpoint of `hotkey` on `netuid`, unless the chain already holds the same
 * ip/port/version/protocol. Pool rejections (rate limit, bad ip) throw typed errors.
 */
export async function serveAxon(
  client: SubtensorClient,
  hotkey: WalletSigner,
  o: ServeAxonOptions,
  submit: SubmitOptions = {},
): Promise<ServeAxonResult> {
  const tx = buildServeAxonCall(client.api, o);
  const uid = await uidOf(client, o.netuid, hotkey.ss58Address);
  if (uid === null) {
    return {
      status: "not_registered",
      message:
        `hotkey ${hotkey.ss58Address} is not registered on subnet ${o.netuid}; register first`,
    };
  }
  if (!o.force) {
    const cur = await axonOf(client, o.netuid, hotkey.ss58Address);
    const want = { ipInt: ipToInt(o.ip), ipType: ipVersion(o.ip) };
    if (
      cur && cur.ipInt === want.ipInt && cur.port === o.port && cur.ipType === want.ipType &&
      cur.version === (o.version ?? VERSION_AS_INT) && cur.protocol === (o.protocol ?? 4)
    ) {
      return { status: "unchanged", axon: cur };
    }
  }
  return { status: "served", inclusion: await client.submit("serve_axon", tx, hotkey, submit) };
}

/** Outcome of {@link burnedRegister}. */
export type BurnedRegisterResult =
  | { status: "registered"; uid: number; burnRao: bigint; inclusion: Inclusion }
  | { status: "already_registered"; uid: number }
  | {
    status: "refused";
    reason: "no_subnet" | "registration_disabled" | "balance";
    message: string;
  };

/**
 * Registers `hotkey` (SS58) on `netuid` by burning `Burn[netuid]` from `coldkey`'s balance
 * (`burned_register`, signed by the coldkey). Checks first, as the SDK does: the subnet exists,
 * the hotkey is not yet registered, the balance covers the burn.
 */
export async function burnedRegister(
  client: SubtensorClient,
  coldkey: WalletSigner,
  netuid: number,
  hotkey: string,
  submit: SubmitOptions = {},
): Promise<BurnedRegisterResult> {
  const api = client.api;
  if (!api.tx.subtensorModule.burnedRegister) {
    throw new ChainUnsupportedError("the runtime has no burned_register");
  }
  const exists = await client.call(
    "NetworksAdded",
    async () => (await api.query.subtensorModule.networksAdded(netuid)).toPrimitive() === true,
  );
  if (!exists) {
    return { status: "refused", reason: "no_subnet", message: `subnet ${netuid} does not exist` };
  }
  const uid = await uidOf(client, netuid, hotkey);
  if (uid !== null) return { status: "already_registered", uid };
  const [burn, free, allowed] = await client.call("Burn/balance", async () => {
    const b = await api.query.subtensorModule.burn(netuid);
    const acct = (await api.query.system.account(coldkey.ss58Address)).toPrimitive() as {
      data?: { free?: unknown };
    };
    const ra = api.query.subtensorModule.networkRegistrationAllowed;
    const allowed = ra ? (await ra(netuid)).toPrimitive() !== false : true;
    return [BigInt(b.toString()), BigInt(String(acct?.data?.free ?? 0)), allowed] as const;
  });
  if (!allowed) {
    return {
      status: "refused",
      reason: "registration_disabled",
      message: `registration is disabled on subnet ${netuid}`,
    };
  }
  if (free < burn) {
    return {
      status: "refused",
      reason: "balance",
      message: `coldkey ${coldkey.ss58Address} has ${free} rao, the burn is ${burn} rao`,
    };
  }
  const tx = api.tx.subtensorModule.burnedRegister(netuid, hotkey);
  const inclusion = await client.submit("burned_register", tx, coldkey, submit);
  const ev = inclusion.events.find((e) =>
    e.section === "subtensorModule" && e.method === "NeuronRegistered"
  );
  const got = ev ? await uidOf(client, netuid, hotkey) : null;
  if (got === null) {
    throw new ChainDataError("burned_register was included but no uid was assigned");
  }
  return { status: "registered", uid: got, burnRao: burn, inclusion };
}
