//! sr25519 signing for the validator's dendrite, built to a bare wasm module (no wasm-bindgen, no
//! allocator, no imports). The host writes a secret key, the public key, 32 bytes of randomness
//! and the message into the module's exchange area and calls `sign`, which writes the signature
//! there. Signatures are schnorrkel's (context `substrate`, randomised nonce), as bittensor_wallet
//! makes them; wasm32-unknown-unknown has no entropy source, so the randomness comes from the
//! host's `crypto.getRandomValues`.
#![no_std]

use core::cell::UnsafeCell;
use curve25519_dalek::{constants::RISTRETTO_BASEPOINT_TABLE, ristretto::CompressedRistretto, Scalar};
use rand_core::{CryptoRng, RngCore};
use schnorrkel::context::{attach_rng, SigningTranscript};
use schnorrkel::{signing_context, SecretKey};
use zeroize::Zeroize;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Largest message `sign` takes; the host signs longer ones another way.
const MESSAGE_CAPACITY: usize = 16 * 1024;

/// The exchange area, in this order at the address `io()` returns.
#[repr(C)]
struct Io {
    /// ed25519-form secret: scalar·8 ‖ nonce seed (what polkadot-js and our Keypair hold).
    secret: [u8; 64],
    /// Compressed public key of that secret.
    public: [u8; 32],
    /// Fresh randomness for this signature's witness.
    random: [u8; 32],
    /// Where the signature is written.
    signature: [u8; 64],
    message: [u8; MESSAGE_CAPACITY],
}

struct IoCell(UnsafeCell<Io>);
// Wasm instances are single-threaded.
unsafe impl Sync for IoCell {}
static IO: IoCell = IoCell(UnsafeCell::new(Io {
    secret: [0; 64],
    public: [0; 32],
    random: [0; 32],
    signature: [0; 64],
    message: [0; MESSAGE_CAPACITY],
}));

/// The randomness the host handed over, given out once, zeroed after.
struct HostRandom([u8; 32]);

impl RngCore for HostRandom {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // schnorrkel draws 32 bytes per witness; any further draw gets zeros, never a repeat.
        let n = dest.len().min(32);
        dest[..n].copy_from_slice(&self.0[..n]);
        dest[n..].fill(0);
        self.0.zeroize();
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for HostRandom {}

/// Address of the exchange area.
#[no_mangle]
pub extern "C" fn io() -> *mut u8 {
    IO.0.get() as *mut u8
}

/// Size of the exchange area's message field.
#[no_mangle]
pub extern "C" fn message_capacity() -> u32 {
    MESSAGE_CAPACITY as u32
}

/// Signs the first `len` bytes of the message field; returns 0 with the signature written, or
/// -1 (message too long, secret not a valid key). The secret and randomness are zeroed either way.
///
/// The steps are schnorrkel's `SecretKey::sign`, done here so that the public key is used in its
/// compressed form as given, not decompressed on every call.
#[no_mangle]
pub extern "C" fn sign(len: u32) -> i32 {
    // SAFETY: single-threaded, and no other reference to IO is alive during this call.
    let io = unsafe { &mut *IO.0.get() };
    let secret = SecretKey::from_ed25519_bytes(&io.secret);
    io.secret.zeroize();
    let random = HostRandom(io.random);
    io.random.zeroize();
    let (Ok(secret), true) = (secret, (len as usize) <= MESSAGE_CAPACITY) else { return -1 };
    let mut bytes = secret.to_bytes();
    let key = Scalar::from_canonical_bytes(bytes[..32].try_into().unwrap());
    let mut nonce = [0u8; 32];
    nonce.copy_from_slice(&bytes[32..]);
    bytes.zeroize();
    let Some(mut key) = Option::<Scalar>::from(key) else { return -1 };

    let mut t = attach_rng(signing_context(b"substrate").bytes(&io.message[..len as usize]), random);
    t.proto_name(b"Schnorr-sig");
    t.commit_point(b"sign:pk", &CompressedRistretto(io.public));
    let mut r = t.witness_scalar(b"signing", &[&nonce]);
    let big_r = (&r * RISTRETTO_BASEPOINT_TABLE).compress();
    t.commit_point(b"sign:R", &big_r);
    let k = t.challenge_scalar(b"sign:c");
    let s = k * key + r;
    r.zeroize();
    key.zeroize();
    nonce.zeroize();

    io.signature[..32].copy_from_slice(big_r.as_bytes());
    io.signature[32..].copy_from_slice(s.as_bytes());
    // schnorrkel's marker: the signature is a schnorrkel one, not an ed25519 one.
    io.signature[63] |= 128;
    0
}
